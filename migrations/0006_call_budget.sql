CREATE TABLE "hss_internal"."api_call_budget" (
	"credential_key" text NOT NULL,
	"api" text NOT NULL,
	"calls" timestamp with time zone[] DEFAULT '{}' NOT NULL,
	CONSTRAINT "api_call_budget_credential_key_api_pk" PRIMARY KEY("credential_key","api")
);
