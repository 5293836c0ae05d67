"""CRM enrichment: new calls' insights written to Salesforce after every sync (docs/crm.md)."""
