CREATE TABLE "hss_internal"."api_call_budget" (
	"credential_key" text NOT NULL,
	"api" text NOT NULL,
	"calls" timestamp with time zone[] DEFAULT '{}' NOT NULL,
	CONSTRAINT "api_call_budget_credential_key_api_pk" PRIMARY KEY("credential_key","api")
);
--> statement-breakpoint
CREATE INDEX "image_refs_present_image_idx" ON "hss_internal"."image_refs" USING btree ("project_id","enterprise_project_id","image_type","image_id") WHERE removed_at IS NULL;--> statement-breakpoint
CREATE INDEX "image_rule_history_open_failed_idx" ON "hss_internal"."image_rule_history" USING btree ("project_id","enterprise_project_id","image_type","image_id","check_name","check_type","standard","check_rule_id") WHERE valid_to IS NULL AND scan_result = 'failed';