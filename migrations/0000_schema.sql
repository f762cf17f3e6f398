CREATE SCHEMA IF NOT EXISTS "hss";
--> statement-breakpoint
CREATE SCHEMA IF NOT EXISTS "hss_internal";
--> statement-breakpoint
CREATE TABLE "hss_internal"."history_chain_anchors" (
	"history" text NOT NULL,
	"key" uuid NOT NULL,
	"chain_hash" "bytea" NOT NULL,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_to" timestamp with time zone NOT NULL,
	"pruned_at" timestamp with time zone NOT NULL,
	CONSTRAINT "history_chain_anchors_pkey" PRIMARY KEY("history","key"),
	CONSTRAINT "history_chain_anchors_history_check" CHECK (history IN ('baseline', 'rule'))
);
--> statement-breakpoint
CREATE TABLE "hss_internal"."image_baseline_daily_facts" (
	"version_id" bigint NOT NULL,
	"observed_at" timestamp with time zone NOT NULL,
	"day" date NOT NULL,
	"check_rule_num" integer,
	"failed_rule_num" integer,
	"result_key" uuid NOT NULL,
	"severity" text,
	CONSTRAINT "image_baseline_daily_facts_pkey" PRIMARY KEY("day","result_key")
);
--> statement-breakpoint
CREATE TABLE "hss_internal"."image_baseline_history" (
	"version_id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "hss_internal"."image_baseline_history_version_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"project_id" text NOT NULL,
	"enterprise_project_id" text NOT NULL,
	"image_type" text NOT NULL,
	"image_id" text NOT NULL,
	"check_name" text NOT NULL,
	"check_type" text NOT NULL,
	"standard" text NOT NULL,
	"severity" text,
	"check_rule_num" integer,
	"failed_rule_num" integer,
	"check_type_desc" text,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_to" timestamp with time zone,
	"opened_run_id" uuid,
	"closed_run_id" uuid,
	"result_key" uuid GENERATED ALWAYS AS (md5(length(project_id)::text || ':' || project_id || length(enterprise_project_id)::text || ':' || enterprise_project_id || length(image_type)::text || ':' || image_type || length(image_id)::text || ':' || image_id || length(check_name)::text || ':' || check_name || length(check_type)::text || ':' || check_type || length(standard)::text || ':' || standard)::uuid) STORED NOT NULL,
	"prev_hash" "bytea",
	"chain_hash" "bytea",
	"scanned_at" timestamp with time zone,
	"source_api" text,
	CONSTRAINT "image_baseline_history_valid_range_check" CHECK (valid_to IS NULL OR valid_to > valid_from)
);
--> statement-breakpoint
CREATE TABLE "hss_internal"."image_contents" (
	"project_id" text NOT NULL,
	"enterprise_project_id" text NOT NULL,
	"image_type" text NOT NULL,
	"image_id" text NOT NULL,
	"fetched_scan_time" timestamp with time zone,
	"fetched_digest" text,
	"fetched_unsafe_num" integer,
	"fetched_scan_status" text,
	"fetched_at" timestamp with time zone,
	"outcome" text NOT NULL,
	"result_count" integer DEFAULT 0 NOT NULL,
	"first_seen_at" timestamp with time zone NOT NULL,
	"removed_at" timestamp with time zone,
	CONSTRAINT "image_contents_pkey" PRIMARY KEY("project_id","enterprise_project_id","image_type","image_id"),
	CONSTRAINT "image_contents_outcome_check" CHECK (outcome IN ('fetched', 'not_scanned'))
);
--> statement-breakpoint
CREATE TABLE "hss_internal"."image_refs" (
	"project_id" text NOT NULL,
	"enterprise_project_id" text NOT NULL,
	"image_type" text NOT NULL,
	"ref_key" text NOT NULL,
	"ref_hash" uuid GENERATED ALWAYS AS (md5(ref_key)::uuid) STORED NOT NULL,
	"image_id" text NOT NULL,
	"image_digest" text,
	"namespace" text,
	"image_name" text,
	"image_version" text,
	"instance_id" text,
	"registry_name" text,
	"registry_type" text,
	"host_id" text,
	"host_name" text,
	"scan_status" text,
	"latest_scan_time" timestamp with time zone,
	"unsafe_setting_num" integer,
	"image_size" bigint,
	"latest_update_time" timestamp with time zone,
	"first_seen_at" timestamp with time zone NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"removed_at" timestamp with time zone,
	"listed_image_type" text,
	"severity_level" text,
	"scan_failed_desc" text,
	"scan_failed_code" text,
	"non_scan_reason" text,
	"latest_version" text,
	"latest_sync_time" timestamp with time zone,
	"instance_name" text,
	"is_multiple_arch" boolean,
	"cicd_name" text,
	"pipeline_type" text,
	"local_image_type" text,
	"agent_id" text,
	"host_num" integer,
	"raw" jsonb,
	CONSTRAINT "image_refs_pkey" PRIMARY KEY("project_id","enterprise_project_id","image_type","ref_hash")
);
--> statement-breakpoint
CREATE TABLE "hss_internal"."posture_daily_facts" (
	"day" date NOT NULL,
	"group_key" uuid NOT NULL,
	"images" integer NOT NULL,
	"images_failing" integer NOT NULL,
	"failed_items" bigint NOT NULL,
	"check_items" bigint NOT NULL,
	"project_id" text NOT NULL,
	"enterprise_project_id" text NOT NULL,
	"image_type" text NOT NULL,
	"check_name" text NOT NULL,
	"check_type" text NOT NULL,
	"standard" text NOT NULL,
	"severity" text,
	CONSTRAINT "posture_daily_facts_pkey" PRIMARY KEY("day","group_key")
);
--> statement-breakpoint
CREATE TABLE "hss_internal"."result_keys" (
	"result_key" uuid PRIMARY KEY NOT NULL,
	"project_id" text NOT NULL,
	"enterprise_project_id" text NOT NULL,
	"image_type" text NOT NULL,
	"image_id" text NOT NULL,
	"check_name" text NOT NULL,
	"check_type" text NOT NULL,
	"standard" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hss_internal"."scope_state" (
	"project_id" text NOT NULL,
	"enterprise_project_id" text NOT NULL,
	"image_type" text NOT NULL,
	"target" text NOT NULL,
	"last_run_id" uuid,
	"last_inventory_at" timestamp with time zone,
	"last_complete_inventory_at" timestamp with time zone,
	"prev_complete_inventory_at" timestamp with time zone,
	"last_success_at" timestamp with time zone,
	"image_count" integer,
	CONSTRAINT "scope_state_pkey" PRIMARY KEY("project_id","enterprise_project_id","image_type")
);
--> statement-breakpoint
CREATE TABLE "hss_internal"."sync_runs" (
	"run_id" uuid PRIMARY KEY NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"status" text NOT NULL,
	"trigger" text NOT NULL,
	"worker" text,
	"scopes_total" integer DEFAULT 0 NOT NULL,
	"scopes_succeeded" integer DEFAULT 0 NOT NULL,
	"scopes_partial" integer DEFAULT 0 NOT NULL,
	"scopes_failed" integer DEFAULT 0 NOT NULL,
	"images_listed" integer DEFAULT 0 NOT NULL,
	"images_distinct" integer DEFAULT 0 NOT NULL,
	"images_due" integer DEFAULT 0 NOT NULL,
	"images_fetched" integer DEFAULT 0 NOT NULL,
	"images_not_scanned" integer DEFAULT 0 NOT NULL,
	"images_pending" integer DEFAULT 0 NOT NULL,
	"images_retired" integer DEFAULT 0 NOT NULL,
	"versions_opened" integer DEFAULT 0 NOT NULL,
	"versions_closed" integer DEFAULT 0 NOT NULL,
	"api_calls" integer DEFAULT 0 NOT NULL,
	"throttled" integer DEFAULT 0 NOT NULL,
	"retries" integer DEFAULT 0 NOT NULL,
	"calls_by_api" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error" text,
	"rule_images_due" integer DEFAULT 0 NOT NULL,
	"rule_images_fetched" integer DEFAULT 0 NOT NULL,
	"rule_images_pending" integer DEFAULT 0 NOT NULL,
	"rule_versions_opened" integer DEFAULT 0 NOT NULL,
	"rule_versions_closed" integer DEFAULT 0 NOT NULL,
	"rule_descriptions_fetched" integer DEFAULT 0 NOT NULL,
	"items_quarantined" integer DEFAULT 0 NOT NULL,
	"api_backlog" jsonb,
	"maintenance" jsonb,
	"coverage" jsonb,
	CONSTRAINT "sync_runs_status_check" CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'aborted'))
);
--> statement-breakpoint
CREATE TABLE "hss_internal"."sync_scope_runs" (
	"run_id" uuid NOT NULL,
	"target" text NOT NULL,
	"project_id" text NOT NULL,
	"enterprise_project_id" text NOT NULL,
	"image_type" text NOT NULL,
	"status" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"inventory_complete" boolean,
	"images_listed" integer DEFAULT 0 NOT NULL,
	"images_distinct" integer DEFAULT 0 NOT NULL,
	"images_due" integer DEFAULT 0 NOT NULL,
	"images_fetched" integer DEFAULT 0 NOT NULL,
	"images_not_scanned" integer DEFAULT 0 NOT NULL,
	"images_pending" integer DEFAULT 0 NOT NULL,
	"images_retired" integer DEFAULT 0 NOT NULL,
	"versions_opened" integer DEFAULT 0 NOT NULL,
	"versions_closed" integer DEFAULT 0 NOT NULL,
	"api_calls" integer DEFAULT 0 NOT NULL,
	"throttled" integer DEFAULT 0 NOT NULL,
	"retries" integer DEFAULT 0 NOT NULL,
	"calls_by_api" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"eta_seconds" integer,
	"error" text,
	"items_quarantined" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "sync_scope_runs_pkey" PRIMARY KEY("run_id","project_id","enterprise_project_id","image_type"),
	CONSTRAINT "sync_scope_runs_status_check" CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'aborted'))
);
--> statement-breakpoint
CREATE TABLE "hss_internal"."image_rule_history" (
	"version_id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "hss_internal"."image_rule_history_version_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"project_id" text NOT NULL,
	"enterprise_project_id" text NOT NULL,
	"image_type" text NOT NULL,
	"image_id" text NOT NULL,
	"check_name" text NOT NULL,
	"check_type" text NOT NULL,
	"standard" text NOT NULL,
	"check_rule_id" text NOT NULL,
	"check_rule_name" text,
	"severity" text,
	"scan_result" text NOT NULL,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_to" timestamp with time zone,
	"opened_run_id" uuid,
	"closed_run_id" uuid,
	"rule_result_key" uuid GENERATED ALWAYS AS (md5(length(project_id)::text || ':' || project_id || length(enterprise_project_id)::text || ':' || enterprise_project_id || length(image_type)::text || ':' || image_type || length(image_id)::text || ':' || image_id || length(check_name)::text || ':' || check_name || length(check_type)::text || ':' || check_type || length(standard)::text || ':' || standard || length(check_rule_id)::text || ':' || check_rule_id)::uuid) STORED NOT NULL,
	"rule_key" uuid GENERATED ALWAYS AS (md5(length(check_name)::text || ':' || check_name || length(check_type)::text || ':' || check_type || length(standard)::text || ':' || standard || length(check_rule_id)::text || ':' || check_rule_id)::uuid) STORED NOT NULL,
	"prev_hash" "bytea",
	"chain_hash" "bytea",
	"scanned_at" timestamp with time zone,
	"source_api" text,
	CONSTRAINT "image_rule_history_valid_range_check" CHECK (valid_to IS NULL OR valid_to > valid_from)
);
--> statement-breakpoint
CREATE TABLE "hss_internal"."image_rule_state" (
	"project_id" text NOT NULL,
	"enterprise_project_id" text NOT NULL,
	"image_type" text NOT NULL,
	"image_id" text NOT NULL,
	"summary_signature" text NOT NULL,
	"rule_detail" text NOT NULL,
	"rule_count" integer DEFAULT 0 NOT NULL,
	"fetched_at" timestamp with time zone NOT NULL,
	"run_id" uuid,
	CONSTRAINT "image_rule_state_pkey" PRIMARY KEY("project_id","enterprise_project_id","image_type","image_id"),
	CONSTRAINT "image_rule_state_rule_detail_check" CHECK (rule_detail IN ('failed', 'all'))
);
--> statement-breakpoint
CREATE TABLE "hss_internal"."image_rule_values" (
	"project_id" text NOT NULL,
	"enterprise_project_id" text NOT NULL,
	"image_type" text NOT NULL,
	"image_id" text NOT NULL,
	"check_name" text NOT NULL,
	"check_type" text NOT NULL,
	"standard" text NOT NULL,
	"check_rule_id" text NOT NULL,
	"rule_result_key" uuid GENERATED ALWAYS AS (md5(length(project_id)::text || ':' || project_id || length(enterprise_project_id)::text || ':' || enterprise_project_id || length(image_type)::text || ':' || image_type || length(image_id)::text || ':' || image_id || length(check_name)::text || ':' || check_name || length(check_type)::text || ':' || check_type || length(standard)::text || ':' || standard || length(check_rule_id)::text || ':' || check_rule_id)::uuid) STORED NOT NULL,
	"rule_key" uuid GENERATED ALWAYS AS (md5(length(check_name)::text || ':' || check_name || length(check_type)::text || ':' || check_type || length(standard)::text || ':' || standard || length(check_rule_id)::text || ':' || check_rule_id)::uuid) STORED NOT NULL,
	"check_info_list" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"version_id" bigint,
	"fetched_at" timestamp with time zone NOT NULL,
	"run_id" uuid,
	CONSTRAINT "image_rule_values_pkey" PRIMARY KEY("rule_result_key")
);
--> statement-breakpoint
CREATE TABLE "hss_internal"."rule_descriptions" (
	"check_name" text NOT NULL,
	"check_type" text NOT NULL,
	"standard" text NOT NULL,
	"check_rule_id" text NOT NULL,
	"rule_key" uuid GENERATED ALWAYS AS (md5(length(check_name)::text || ':' || check_name || length(check_type)::text || ':' || check_type || length(standard)::text || ':' || standard || length(check_rule_id)::text || ':' || check_rule_id)::uuid) STORED NOT NULL,
	"description" text,
	"reference" text,
	"audit" text,
	"remediation" text,
	"check_info_list" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"fetched_at" timestamp with time zone NOT NULL,
	CONSTRAINT "rule_descriptions_pkey" PRIMARY KEY("rule_key")
);
--> statement-breakpoint
ALTER TABLE "hss_internal"."sync_scope_runs" ADD CONSTRAINT "sync_scope_runs_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "hss_internal"."sync_runs"("run_id") ON DELETE cascade ON UPDATE cascade;--> statement-breakpoint
CREATE INDEX "image_baseline_daily_facts_key_day_idx" ON "hss_internal"."image_baseline_daily_facts" USING btree ("result_key","day");--> statement-breakpoint
CREATE UNIQUE INDEX "image_baseline_history_open_key_idx" ON "hss_internal"."image_baseline_history" USING btree ("result_key") WHERE valid_to IS NULL;--> statement-breakpoint
CREATE INDEX "image_baseline_history_open_image_idx" ON "hss_internal"."image_baseline_history" USING btree ("project_id","enterprise_project_id","image_type","image_id") WHERE valid_to IS NULL;--> statement-breakpoint
CREATE INDEX "image_baseline_history_key_from_idx" ON "hss_internal"."image_baseline_history" USING btree ("result_key","valid_from");--> statement-breakpoint
CREATE INDEX "result_keys_image_idx" ON "hss_internal"."result_keys" USING btree ("project_id","enterprise_project_id","image_type","image_id");--> statement-breakpoint
CREATE INDEX "sync_runs_started_at_idx" ON "hss_internal"."sync_runs" USING btree ("started_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "sync_scope_runs_scope_started_idx" ON "hss_internal"."sync_scope_runs" USING btree ("project_id","enterprise_project_id","image_type","started_at" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "image_rule_history_open_key_idx" ON "hss_internal"."image_rule_history" USING btree ("rule_result_key") WHERE valid_to IS NULL;--> statement-breakpoint
CREATE INDEX "image_rule_history_image_idx" ON "hss_internal"."image_rule_history" USING btree ("project_id","enterprise_project_id","image_type","image_id");--> statement-breakpoint
CREATE INDEX "image_rule_history_key_from_idx" ON "hss_internal"."image_rule_history" USING btree ("rule_result_key","valid_from");--> statement-breakpoint
CREATE INDEX "image_rule_history_open_rule_idx" ON "hss_internal"."image_rule_history" USING btree ("rule_key") WHERE valid_to IS NULL;--> statement-breakpoint
CREATE INDEX "image_rule_values_image_idx" ON "hss_internal"."image_rule_values" USING btree ("project_id","enterprise_project_id","image_type","image_id");