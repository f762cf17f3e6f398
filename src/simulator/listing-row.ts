/**
 * How a list API serialises an image reference: the identity and change-signal fields, and the
 * fields the official response models add (RegistryImagesInfo, ImageLocalInfo,
 * CicdImageResponseInfo in huaweicloud-sdk-go-v3 services/hss/v5), each only on the APIs whose
 * model has it. The extra values are derived from the content and reference (hashes, no PRNG
 * draws), so adding them changed no identity or result of the world.
 */
import { createHash } from 'node:crypto';
import { SEVERITIES, unsafeSettingNum } from './baseline.js';
import { hashSeed } from './prng.js';
import type { SimImageRow } from './types.js';
import type { Flavour, ScopeData, SimContent, SimRef } from './world-gen.js';

/**
 * scan_failed_code → scan_failed_desc, in the words of RegistryImagesInfo / CicdImageResponseInfo
 * (their Chinese descriptions, as HSS sends them).
 */
export const SCAN_FAILED: Readonly<Record<string, string>> = {
  download_failed: '镜像下载失败。请向技术人员寻求帮助。',
  image_over_sized: '镜像大小超限，不支持扫描。建议精简镜像。',
  failed_to_check_baseline: '基线检查失败',
  response_timed_out: '响应超时',
};
/** ImageLocalInfo.scan_failed_desc takes codes of its own; the world's failure maps to this one. */
const LOCAL_SCAN_FAILED = 'response_timed_out';
/** non_scan_reason of unscan local images (ImageLocalInfo: 0–1024 characters, free text). */
export const NON_SCAN_REASON = '镜像格式不支持扫描 (image format not supported for scanning)';
const CICD_NAMES = ['build-main', 'release-train', 'nightly', 'pr-check', 'deploy-prod'];

/** Tags per content in a scope (host_num of local rows). */
export function tagCounts(data: ScopeData): Map<SimContent, number> {
  const n = new Map<SimContent, number>();
  for (const r of data.refs) n.set(r.content, (n.get(r.content) ?? 0) + 1);
  return n;
}

/** The worst summary severity of a scanned image (Security when nothing failed); absent before a scan. */
function severityLevel(c: SimContent): string | undefined {
  if (c.rows.length === 0 && c.scanStatus !== 'success') return undefined;
  let worst = 0;
  for (const r of c.rows)
    worst = Math.max(worst, SEVERITIES.indexOf(r.severity as (typeof SEVERITIES)[number]));
  return SEVERITIES[worst];
}

/** The listing's unsafe_setting_num: the failed items of the results, or the contradiction. */
function listedUnsafe(c: SimContent): number {
  const n = unsafeSettingNum(c.rows);
  if (!c.inconsistent) return n;
  return n > 0 ? 0 : 3;
}

function agentOf(hostId: string): string {
  return createHash('sha256').update(`agent\u0001${hostId}`).digest('hex').slice(0, 32);
}

/** A reference as the list API of `flavour` serialises it; `tags` = tags of its content. */
export function refToRow(ref: SimRef, flavour: Flavour, tags = 1): SimImageRow {
  const c = ref.content;
  const h = hashSeed(c.imageId);
  const failed = c.scanStatus === 'failed';
  const severity = severityLevel(c);
  const status = {
    scan_status: c.scanStatus,
    latest_scan_time: c.latestScanTime,
    unsafe_setting_num: listedUnsafe(c),
    image_size: c.imageSize,
    latest_update_time: c.latestUpdateTime,
    vul_num: c.vulNum,
  };
  const name = { image_name: ref.imageName, image_version: ref.imageVersion };
  const failure = failed
    ? {
        scan_failed_desc: SCAN_FAILED[c.scanFailedCode] ?? c.scanFailedCode,
        scan_failed_code: c.scanFailedCode,
      }
    : {};
  const level = severity === undefined ? {} : { severity_level: severity };
  if (flavour === 'local') {
    return {
      image_id: c.imageId,
      image_digest: c.imageDigest,
      ...name,
      host_id: ref.hostId,
      host_name: ref.hostName,
      ...status,
      scan_failed_desc: failed ? LOCAL_SCAN_FAILED : '',
      ...(c.scanStatus === 'unscan' ? { non_scan_reason: NON_SCAN_REASON } : {}),
      ...level,
      local_image_type: h % 2 === 0 ? 'swr_image' : 'other_image',
      agent_id: agentOf(ref.hostId),
      host_num: tags,
    };
  }
  if (flavour === 'cicd') {
    return {
      image_id: c.imageId,
      namespace: ref.namespace,
      ...name,
      image_digest: c.imageDigest,
      registry_name: ref.registryName,
      image_type: 'cicd',
      registry_type: 'cicd',
      ...status,
      ...failure,
      ...level,
      latest_version: ref.imageVersion === 'latest',
      cicd_name: CICD_NAMES[h % CICD_NAMES.length] as string,
      pipeline_type: (h >>> 3) % 2 === 0 ? 'jenkins' : 'codearts',
    };
  }
  return {
    image_id: c.imageId,
    image_digest: c.imageDigest,
    namespace: ref.namespace,
    ...name,
    image_type: ref.imageType,
    instance_id: ref.instanceId,
    registry_name: ref.registryName,
    registry_type: ref.registryType,
    ...status,
    ...failure,
    ...level,
    latest_version: ref.imageVersion === 'latest',
    latest_sync_time: Math.max(c.latestUpdateTime, c.latestScanTime ?? 0) + (h % 3_600_000),
    ...(ref.instanceId ? { instance_name: `swr-ee-instance-${ref.instanceId.slice(0, 8)}` } : {}),
    is_multiple_arch: h % 7 === 0,
  };
}
