CREATE OR REPLACE VIEW hss.history_chain_anchors AS
SELECT history, key, chain_hash, valid_from, valid_to, pruned_at FROM hss_internal.history_chain_anchors;

SELECT hss_internal.comment_on_view('hss.history_chain_anchors', $doc$
Per history (baseline, rule) and key, the chain hash of the last version deleted by history retention: the prev_hash the first remaining version of that key carries. Read by hss-baseline-sync verify.
history: baseline (image_baseline_history, key result_key) or rule (image_rule_history, key rule_result_key).
key: result_key or rule_result_key of the pruned versions.
chain_hash: chain_hash of the last pruned version of the key: the prev_hash its first remaining version must carry.
valid_from: valid_from of the last pruned version.
valid_to: valid_to of the last pruned version.
pruned_at: When retention deleted it.
$doc$);

REVOKE ALL ON hss.history_chain_anchors FROM hss_reader, hss_writer;
GRANT SELECT ON hss.history_chain_anchors TO hss_reader, hss_writer;
