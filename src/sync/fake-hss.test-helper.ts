/**
 * A fake HSS client for run-level unit tests: a small world of images, summaries and rules per
 * scope, every call costing `callMs` of the injected clock's time (so pacing, deadlines and
 * ordering are exact in fake time), faults injected per call, every call logged in order.
 */
import type { Clock } from '../clock.js';
import {
  type ApiName,
  type ImageFilter,
  type ImageListing,
  listApiFor,
  noListingExtras,
  type Page,
  type RiskConfig,
  type RuleDetail,
  type RuleKey,
  type RuleResult,
  type Scope,
  scopeLabel,
} from '../domain.js';
import { HssApiError, type HssErrorContext } from '../errors.js';
import { ImageQuarantinedError } from '../hss/quarantine.js';
import type { CallOptions, HssClient } from '../hss/types.js';

/** One image of the fake world: its listing and its summaries (and rules of failing baselines). */
export interface FakeImage {
  imageId: string;
  scanTime: number;
  results: RiskConfig[];
  /** Rules per baseline (check_name); `failed` and `pass` rows mixed. */
  rules?: Record<string, RuleResult[]>;
  /** Listing fields other than the image id and scan time. */
  listing?: Partial<ImageListing>;
}

export interface FakeCall {
  api: ApiName;
  scope: string;
  /** The image asked about, or the list offset. */
  subject: string;
  /** Fake time the call started. */
  at: number;
}

/**
 * What a call answers instead of its data: an error to throw, `quarantine` (schema-invalid: the
 * image's answer is unusable), or `quarantine-row` (one row set aside, the rest answered).
 */
export type Fault = Error | 'quarantine' | 'quarantine-row' | undefined;

/** A listing row of `imageId` (plain values, `over` replacing some). */
export function listing(imageId: string, over: Partial<ImageListing> = {}): ImageListing {
  return {
    ...noListingExtras(),
    imageId,
    imageDigest: `sha256:${imageId}`,
    namespace: 'ns',
    imageName: `img-${imageId}`,
    imageVersion: 'v1',
    instanceId: null,
    registryName: null,
    registryType: null,
    hostId: null,
    hostName: null,
    scanStatus: 'success',
    latestScanTime: 1000,
    unsafeSettingNum: 3,
    imageSize: 10,
    latestUpdateTime: 900,
    ...over,
  };
}

export function summary(checkName: string, failed: number): RiskConfig {
  return {
    checkName,
    checkType: 'os',
    standard: 'hw_standard',
    severity: 'High',
    checkRuleNum: 10,
    failedRuleNum: failed,
    checkTypeDesc: null,
  };
}

export function rule(checkName: string, id: string, scanResult: 'failed' | 'pass'): RuleResult {
  return {
    checkName,
    checkType: 'os',
    standard: 'hw_standard',
    checkRuleId: id,
    checkRuleName: `rule ${id}`,
    severity: 'High',
    scanResult,
  };
}

/** An HSS error as the client throws it after its retries (retryable when `status` ≥ 500). */
export function apiError(api: ApiName, status: number, errorCode = 'HSS.0001'): HssApiError {
  return new HssApiError({ api, path: `GET /fake/${api}`, status, errorCode, requestId: null });
}

export class FakeHss implements HssClient {
  /** Images per scope label. */
  readonly world = new Map<string, FakeImage[]>();
  readonly calls: FakeCall[] = [];
  /** Decides each call's fault; default none. */
  fault: (call: FakeCall) => Fault = () => undefined;
  /** false: list pages come without total_num (optional in the official models). */
  listTotals = true;

  constructor(
    private readonly clock: Clock,
    /** Fake time each call takes. */
    private readonly callMs = 1000,
    private readonly pageSize = 100,
  ) {}

  put(scope: Scope, images: FakeImage[]): void {
    this.world.set(scopeLabel(scope), images);
  }

  callsOf(api: ApiName): FakeCall[] {
    return this.calls.filter((c) => c.api === api);
  }

  async listImagesPage(
    scope: Scope,
    offset: number,
    limit: number,
    o?: CallOptions,
  ): Promise<Page<ImageListing>> {
    const images = this.world.get(scopeLabel(scope)) ?? [];
    await this.call(listApiFor(scope.imageType), scope, String(offset), o);
    const rows = images
      .slice(offset, offset + Math.min(limit, this.pageSize))
      .map((i) => listing(i.imageId, { latestScanTime: i.scanTime, ...i.listing }));
    const totalNum = this.listTotals ? images.length : null;
    return { totalNum, rows, itemsReceived: rows.length, requestId: null };
  }

  async listRiskConfigs(scope: Scope, imageId: string, o?: CallOptions): Promise<RiskConfig[]> {
    await this.call('ListImageRiskConfigs', scope, imageId, o);
    return this.image(scope, imageId).results;
  }

  async listRiskConfigRules(
    scope: Scope,
    imageId: string,
    filter: { checkName: string; standard: string; resultType: 'failed' | 'pass' },
    o?: CallOptions,
  ): Promise<RuleResult[]> {
    await this.call(
      'ListImageRiskConfigRules',
      scope,
      `${imageId}/${filter.checkName}/${filter.resultType}`,
      o,
    );
    const rules = this.image(scope, imageId).rules?.[filter.checkName] ?? [];
    return rules.filter((r) => r.scanResult === filter.resultType);
  }

  /** Every rule row of the image, every baseline (subject `<image>/<scan_result or all>`). */
  async listCheckRules(
    scope: Scope,
    imageId: string,
    filter: { scanResult: 'failed' | 'pass' | null },
    o?: CallOptions,
  ): Promise<RuleResult[]> {
    await this.call('ListCheckRulesInfo', scope, `${imageId}/${filter.scanResult ?? 'all'}`, o);
    const rows = Object.values(this.image(scope, imageId).rules ?? {}).flat();
    return rows.filter((r) => filter.scanResult === null || r.scanResult === filter.scanResult);
  }

  /** Subject `<rule id>`, or `<rule id>@<image>` with an image (current values of that image). */
  async showCheckRuleDetail(
    scope: Scope,
    key: RuleKey,
    image: ImageFilter | null,
    o?: CallOptions,
  ): Promise<RuleDetail> {
    const subject = image ? `${key.checkRuleId}@${image.imageId}` : key.checkRuleId;
    await this.call('ShowImageCheckRuleDetail', scope, subject, o);
    return {
      description: `about ${key.checkRuleId}`,
      reference: null,
      audit: null,
      remediation: null,
      checkInfoList: [
        {
          checkDescription: `check ${key.checkRuleId}`,
          currentValue: image ? `value on ${image.imageId}` : null,
          suggestValue: 'good',
        },
      ],
    };
  }

  private image(scope: Scope, imageId: string): FakeImage {
    const found = this.world.get(scopeLabel(scope))?.find((i) => i.imageId === imageId);
    if (!found) throw apiError('ListImageRiskConfigs', 404, 'HSS.1404');
    return found;
  }

  /** Waits `callMs` (aborted by the call's signal before it is sent), then answers or fails. */
  private async call(api: ApiName, scope: Scope, subject: string, o: CallOptions | undefined): Promise<void> {
    o?.signal?.throwIfAborted();
    const call: FakeCall = { api, scope: scopeLabel(scope), subject, at: this.clock.now() };
    this.calls.push(call);
    o?.retryBudget?.onFirstAttempt();
    // A call sent is answered unless the in-flight signal (SIGTERM, not the deadline) aborts it.
    await this.clock.sleep(this.callMs, o?.inFlightSignal ?? o?.signal);
    const fault = this.fault(call);
    const context: HssErrorContext = { api, path: `GET /fake/${api}`, requestId: null };
    const status =
      fault === undefined || fault === 'quarantine' || fault === 'quarantine-row'
        ? 200
        : ((fault as HssApiError).status ?? 0);
    o?.onCall?.({ api, status, errorCode: null, requestId: null, durationMs: this.callMs, willRetry: false });
    if (fault === 'quarantine-row') {
      o?.onQuarantine?.({
        api,
        requestId: 'req-row',
        position: 1,
        problem: 'severity: Invalid input',
        sample: '{}',
      });
      return;
    }
    if (fault === 'quarantine') {
      o?.onQuarantine?.({
        api,
        requestId: null,
        position: 0,
        problem: 'check_rule_num: Invalid input',
        sample: '{}',
        imageId: subject,
      });
      throw new ImageQuarantinedError(context, subject, 1);
    }
    if (fault) throw fault;
  }
}
