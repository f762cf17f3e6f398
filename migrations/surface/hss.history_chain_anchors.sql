CREATE OR REPLACE VIEW hss.history_chain_anchors AS
SELECT history, key, chain_hash, valid_from, valid_to, pruned_at FROM hss_internal.history_chain_anchors;

COMMENT ON VIEW hss.history_chain_anchors IS 'Per history (baseline, rule) and key, the chain hash of the last version deleted by history retention: the prev_hash the first remaining version of that key carries. Read by hss-baseline-sync verify.';
COMMENT ON COLUMN hss.history_chain_anchors.history IS 'baseline (image_baseline_history, key result_key) or rule (image_rule_history, key rule_result_key).';
COMMENT ON COLUMN hss.history_chain_anchors.key IS 'result_key or rule_result_key of the pruned versions.';
COMMENT ON COLUMN hss.history_chain_anchors.chain_hash IS 'chain_hash of the last pruned version of the key: the prev_hash its first remaining version must carry.';
COMMENT ON COLUMN hss.history_chain_anchors.valid_from IS 'valid_from of the last pruned version.';
COMMENT ON COLUMN hss.history_chain_anchors.valid_to IS 'valid_to of the last pruned version.';
COMMENT ON COLUMN hss.history_chain_anchors.pruned_at IS 'When retention deleted it.';

REVOKE ALL ON hss.history_chain_anchors FROM hss_reader, hss_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON hss.history_chain_anchors TO hss_writer;
GRANT SELECT ON hss.history_chain_anchors TO hss_reader;
