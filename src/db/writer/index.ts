/**
 * The set-based writer: everything the sync stores about images and their results. It knows SQL
 * and nothing of HTTP. Each function is one statement per chunk, or one transaction.
 */
export { type ContentOutcome, type ContentState, loadContentStates } from './contents.js';
export { recordScopeInventory } from './inventory.js';
export { REF_CHUNK_SIZE, upsertImageRefs } from './refs.js';
export { writeImageResults } from './results.js';
export type { ImageResultItem } from './results-plan.js';
export { type RetireInput, retireContents } from './retire.js';
