/**
 * zod schemas of the HSS answers this product reads (docs/hss-api.md). Optionality follows the
 * official SDK models (huaweicloud-sdk-go-v3 services/hss/v5/model): every response field there
 * is optional (`omitempty` pointers), total_num and data_list included, so every field here is
 * nullish. Upstream is also loose in type: integers may arrive as numeric strings and check_type
 * as a number. Unknown fields are kept (looseObject) and never fail a parse. Every number is
 * checked against what the API defines and its column holds (values.ts).
 */
import { z } from 'zod';
import { wire } from './values.js';

/** An optional string. */
const str = z.string().nullish();
/** An optional identifier or label that some versions send as a number: always text. */
const text = z.union([z.string(), z.number().transform(String)]).nullish();
/**
 * latest_version: a boolean in the official models (RegistryImagesInfo, CicdImageResponseInfo),
 * kept as the text `true` / `false` (ListingExtras.latestVersion is text); a string is kept as sent.
 */
const flagText = z.union([z.string(), z.boolean().transform(String)]).nullish();

/** Longest image_id the API defines (ListImageRiskConfigs' image_id filter: 0–128 characters). */
export const MAX_IMAGE_ID_CHARS = 128;

/**
 * An image_id: text (a number is taken as its text) of at most MAX_IMAGE_ID_CHARS characters.
 * ListImageRiskConfigs refuses a longer one (HSS.0001), so it would cost a failed call every run;
 * and as part of a primary key a long enough one exceeds what a btree entry holds (about 2,700
 * bytes) and fails the write of a whole batch.
 */
const imageId = z
  .union([z.string(), z.number().transform(String)])
  .refine((id) => id.length <= MAX_IMAGE_ID_CHARS, `longer than ${MAX_IMAGE_ID_CHARS} characters`)
  .nullish();

/**
 * One row of ListRegistryImages (RegistryImagesInfo), ListImageLocal (ImageLocalInfo) or
 * ListCicdImages (CicdImageResponseInfo): the union of the fields this product reads, all optional
 * as in the official models. Types as the models define them: strings, int32/int64 numbers,
 * booleans is_multiple_arch and latest_version (the latter kept as text, see flagText).
 */
export const imageRowSchema = z.looseObject({
  image_id: imageId,
  image_digest: str,
  namespace: str,
  image_name: str,
  image_version: str,
  image_type: str,
  instance_id: str,
  registry_name: str,
  registry_type: str,
  host_id: str,
  host_name: str,
  scan_status: str,
  latest_scan_time: wire.epochMs.nullish(),
  unsafe_setting_num: wire.count.nullish(),
  image_size: wire.bytes.nullish(),
  latest_update_time: wire.epochMs.nullish(),
  severity_level: str,
  scan_failed_desc: str,
  scan_failed_code: text,
  non_scan_reason: str,
  latest_version: flagText,
  latest_sync_time: wire.epochMs.nullish(),
  instance_name: str,
  is_multiple_arch: z.boolean().nullish(),
  cicd_name: str,
  pipeline_type: str,
  local_image_type: str,
  agent_id: str,
  host_num: wire.count.nullish(),
});
export type ImageRow = z.infer<typeof imageRowSchema>;

/**
 * A page of an image list API. total_num is optional in the official models: a page without it
 * is read (Page.totalNum null) and the listing then ends at the first page shorter than its limit.
 * One beyond the API's range is a bad answer, not a listing to page through.
 */
export const imagePageSchema = z.looseObject({
  total_num: wire.listTotal.nullish(),
  data_list: z.array(imageRowSchema).nullish(),
});
export type ImagePage = z.infer<typeof imagePageSchema>;

/**
 * The envelope of an image list page, items unchecked: each item is validated on its own
 * (imageRowSchema), so one malformed row is quarantined instead of failing the page.
 */
export const imageEnvelopeSchema = z.looseObject({
  total_num: imagePageSchema.shape.total_num,
  data_list: z.array(z.unknown()).nullish(),
});

/** One row of ListImageRiskConfigs. More failed items than checked ones is not a result. */
export const riskConfigRowSchema = z
  .looseObject({
    severity: str,
    check_name: str,
    check_type: text,
    standard: str,
    check_rule_num: wire.ruleCount.nullish(),
    failed_rule_num: wire.ruleCount.nullish(),
    check_type_desc: str,
  })
  .refine(
    (r) => r.check_rule_num == null || r.failed_rule_num == null || r.failed_rule_num <= r.check_rule_num,
    { message: 'greater than check_rule_num', path: ['failed_rule_num'] },
  );
export type RiskConfigRow = z.infer<typeof riskConfigRowSchema>;

/** A page of ListImageRiskConfigs. total_num may be absent: paging then stops on a short page. */
export const riskConfigPageSchema = z.looseObject({
  total_num: wire.count.nullish(),
  data_list: z.array(riskConfigRowSchema).nullish(),
});

/** The envelope of a ListImageRiskConfigs page, items unchecked (see imageEnvelopeSchema). */
export const riskConfigEnvelopeSchema = z.looseObject({
  total_num: wire.count.nullish(),
  data_list: z.array(z.unknown()).nullish(),
});

/** A short, value-free description of what did not match, for error messages. */
export function describeIssues(error: z.ZodError, max = 3): string {
  const shown = error.issues.slice(0, max).map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
    return `${path}: ${issue.message}`;
  });
  const more = error.issues.length > max ? ` (+${error.issues.length - max} more)` : '';
  return `${shown.join('; ')}${more}`;
}

/**
 * One row of ListImageRiskConfigRules (ImageRiskConfigsCheckRulesResponseInfo). check_rule_id is
 * optional there like every field: a row without one is valid and kept (checkRuleId ''); the rule
 * writer decides what it can store.
 */
export const ruleRowSchema = z.looseObject({
  severity: str,
  check_name: str,
  check_type: text,
  standard: str,
  check_rule_name: str,
  check_rule_id: text,
  scan_result: str,
});
export type RuleRow = z.infer<typeof ruleRowSchema>;

/**
 * One row of ListCheckRulesInfo (ImageCheckRuleResponseInfo): a rule result of a CI/CD or
 * registry image. Every field optional; latest_scan_time is epoch ms, image_num 0..2,097,152.
 */
export const checkRuleRowSchema = z.looseObject({
  severity: str,
  check_name: str,
  check_type: text,
  standard: str,
  check_type_desc: str,
  check_rule_name: str,
  check_rule_id: text,
  scan_result: str,
  latest_scan_time: wire.epochMs.nullish(),
  image_num: wire.ruleCount.nullish(),
});
export type CheckRuleRow = z.infer<typeof checkRuleRowSchema>;

/** The envelope of a ListImageRiskConfigRules page, items unchecked (see imageEnvelopeSchema). */
export const ruleEnvelopeSchema = z.looseObject({
  total_num: wire.count.nullish(),
  data_list: z.array(z.unknown()).nullish(),
});

/** The answer of ShowImageCheckRuleDetail. */
export const ruleDetailSchema = z.looseObject({
  description: str,
  reference: str,
  audit: str,
  remediation: str,
  check_info_list: z
    .array(
      z.looseObject({
        check_description: str,
        current_value: str,
        suggest_value: str,
      }),
    )
    .nullish(),
});
export type RuleDetailAnswer = z.infer<typeof ruleDetailSchema>;
