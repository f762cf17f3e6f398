/**
 * ListImageRiskConfigs (docs/hss-api.md section 1), with exactly the documented validation and
 * filters. Pure: world and parsed query in, reply out.
 *
 * Documented ranges played (sources: ListImageRiskConfigsRequest of the official SDKs,
 * huaweicloud-sdk-go-v3 / -java-v3 services/hss/v5, and the API page):
 * - image_type: private_image, shared_image, local_image, instance_image (every SDK), registry
 *   and local (newer SDK definitions); "a value outside the range returns an empty result", so
 *   any other value, `cicd` included, answers 200 {"total_num":0,"data_list":[]} — unless the
 *   world plays the seed (cicdRiskConfigs 'seed', `simulate --cicd-risk-configs seed`), whose
 *   own example queries image_type=cicd: then cicd images' summaries are served;
 * - offset 0–2,000,000, limit 10–200 (default 10), enterprise_project_id 1–256 characters,
 *   image_id at most 128 characters: 400 HSS.0001 outside;
 * - severity Security/Low/Medium/High, standard cn_standard/hw_standard (qt_standard in old
 *   docs): other values an empty result.
 */
import { IMAGE_TYPES, type ImageType } from '../domain.js';
import { rowToWire } from './baseline.js';
import { imagePageParams, matchingContents } from './images-filter.js';
import { filterParam, pageOf } from './query.js';
import { emptyPage, type Reply } from './reply.js';
import type { SimWorld } from './world.js';

const SEVERITIES: readonly string[] = ['Security', 'Low', 'Medium', 'High'];
/** qt_standard is in old docs: a valid filter that matches nothing here. */
const STANDARDS: readonly string[] = ['cn_standard', 'hw_standard', 'qt_standard'];
const NAMESPACE_TYPES: readonly string[] = ['private_image', 'shared_image'];
/** The documented image_type range (see the file comment): every type but `cicd`. */
export const RISK_CONFIGS_TYPES: readonly string[] = IMAGE_TYPES.filter((t) => t !== 'cicd');

/**
 * Validation first (400 HSS.0001: image_type missing or empty, offset outside 0–2,000,000, limit
 * outside 10–200, not digits, enterprise_project_id not 1–256 chars, image_id over 128 chars),
 * then empty results for unknown image_type / severity / standard (empty values do not filter). Rows: every content that has
 * a reference matching the image filters (image_id outranks image_name + image_version;
 * image_version only with image_name; namespace only for private/shared; instance_id only for
 * private_image), in listing order, then check_name / severity / standard, then the page.
 */
export function listImageRiskConfigs(world: SimWorld, projectId: string, q: Map<string, string>): Reply {
  const params = imagePageParams(q, ['image_type']);
  if ('status' in params) return params;
  const { image_type: imageType, offset, limit, ep, imageId } = params;

  const severity = filterParam(q, 'severity', SEVERITIES);
  const standard = filterParam(q, 'standard', STANDARDS);
  const served =
    RISK_CONFIGS_TYPES.includes(imageType) || (imageType === 'cicd' && world.cicdRiskConfigs === 'seed');
  if (!served || severity === null || standard === null) return emptyPage();

  const imageName = q.get('image_name');
  const checkName = q.get('check_name');
  const contents = matchingContents(world, projectId, ep, imageType as ImageType, {
    namespace: NAMESPACE_TYPES.includes(imageType) ? q.get('namespace') : undefined,
    instanceId: imageType === 'private_image' ? q.get('instance_id') : undefined,
    imageId: imageId || undefined,
    imageName: imageId ? undefined : imageName,
    imageVersion: imageId || !imageName ? undefined : q.get('image_version'),
  });
  const rows = contents
    .flatMap((c) => c.rows)
    .filter(
      (r) =>
        (!checkName || r.checkName === checkName) &&
        (!severity || r.severity === severity) &&
        (!standard || r.standard === standard),
    );
  const page = pageOf(rows, offset, limit);
  return { status: 200, body: { total_num: page.total_num, data_list: page.data_list.map(rowToWire) } };
}
