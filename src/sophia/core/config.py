"""Settings: one class, read from the environment and `.env`.

Every variable Sophia understands is a field here, with its default and, as its docstring, a
description; docs/configuration.md is generated from this class. `load_settings()` turns a bad
value into a `ConfigError` that names the variable.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sophia.core.errors import ConfigError
from sophia.core.setting_types import (
    Crontab,
    HttpURL,
    IPNetworks,
    PinnedInstant,
    RedisURL,
    Regexes,
    TimeZoneName,
    comma_items,
)

__all__ = ["EmbedderChoice", "QueryWeights", "Settings", "load_settings"]

EmbedderChoice = Literal["auto", "local", "openai", "hashing"]
# The local model's graph for queries: its 8-bit copy, or the transcripts' own fp32 graph.
QueryWeights = Literal["int8", "fp32"]


class Settings(BaseSettings):
    """Sophia's configuration. Field names are the environment variables, upper-cased."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_default=True,
        # Each field's docstring is its description: what `make docs` puts in
        # docs/configuration.md and what a bad value's message explains.
        use_attribute_docstrings=True,
    )

    # --- storage -------------------------------------------------------------------------
    sophia_data_dir: Path = Path("data")
    """Where the embedded index and the sync state live."""
    retention_days: int = Field(90, ge=0)
    """Calls older than this are not indexed; 0 keeps everything."""
    export_database_url: SecretStr | None = None
    """SQLAlchemy URL of the call-insights table (postgresql+psycopg://user:pass@host/db), what
    Looker reads; unset: SQLite at SOPHIA_DATA_DIR/insights.sqlite."""
    export_restricted: bool = False
    """Write restricted accounts' rows to EXPORT_DATABASE_URL too (the local SQLite file always
    holds them, flagged `restricted`)."""

    # --- Salesforce (CRM enrichment, docs/crm.md) ------------------------------------------
    salesforce_login_url: HttpURL | None = None
    """Salesforce My Domain URL (https://acme.my.salesforce.com) whose OAuth token endpoint
    Sophia's connected app signs in at (client credentials flow); with SALESFORCE_CLIENT_ID
    and SALESFORCE_CLIENT_SECRET it turns CRM enrichment on."""
    salesforce_client_id: str | None = None
    """Consumer key of the connected app (not a secret: OAuth sends it in the clear)."""
    salesforce_client_secret: SecretStr | None = None
    """Consumer secret of the connected app."""
    salesforce_ca_bundle: Path | None = None
    """CA certificates (PEM) to verify Salesforce's TLS with, e.g. behind a corporate proxy;
    unset: the system's."""
    salesforce_api_version: str = Field("62.0", pattern=r"^\d+\.\d$")
    """Salesforce REST API version."""
    salesforce_task_key_field: str = Field("CallObject", pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    """Task field holding `gong:<call id>`, looked up before a Task is created so a call
    never gets two (CallObject, or a custom text field such as Gong_Call_Id__c)."""
    salesforce_account_fields: str = ""
    """Account fields kept current as insight=FieldApiName pairs, comma-separated; insights:
    last_call (date), objections (the top objection kinds), competitors; e.g.
    'last_call=Last_Gong_Call__c, competitors=Gong_Competitors__c'; empty: none."""
    salesforce_opportunity_fields: str = ""
    """Opportunity fields kept current, as SALESFORCE_ACCOUNT_FIELDS."""
    salesforce_max_age_days: int = Field(14, ge=1)
    """Only calls that started this recently get a Task (enabling it does not backfill)."""
    salesforce_restricted: bool = False
    """Write restricted accounts' calls to Salesforce too (its users are not checked against
    ACCESS_POLICY)."""
    salesforce_rate_limit: float = Field(5.0, gt=0, le=100)
    """Requests per second to Salesforce."""
    salesforce_max_attempts: int = Field(4, ge=1, le=10)
    """Tries of one Salesforce request on 429, REQUEST_LIMIT_EXCEEDED, 5xx or a lost
    connection; what still fails stays pending for the next sync."""
    salesforce_backoff_s: float = Field(2.0, ge=0)
    """First wait between those tries (doubling, with jitter)."""
    salesforce_timeout_s: float = Field(30.0, gt=0)
    """Timeout of one Salesforce request."""

    # --- Gong ----------------------------------------------------------------------------
    gong_access_key: SecretStr | None = None
    """Gong API access key."""
    gong_access_secret: SecretStr | None = None
    """Gong API access secret."""
    gong_base_url: HttpURL = "https://api.gong.io"
    """Gong API host; tenant hosts such as https://us-12345.api.gong.io work."""
    gong_rate_limit: float = Field(2.5, gt=0, le=3)
    """Requests per second to Gong (Gong allows 3 per company)."""
    gong_timeout_s: float = Field(30.0, gt=0)
    """Timeout of one Gong request."""
    sync_batch_size: int = Field(50, ge=1, le=1000)
    """Calls per ingest batch; progress is saved after each."""
    sync_window_days: int = Field(7, ge=1, le=90)
    """Width of one date window when paging Gong."""
    sync_repoll_days: int = Field(3, ge=0, le=30)
    """Trailing days re-read on each sync (Gong data is late)."""

    # --- embeddings and chunking ---------------------------------------------------------
    sophia_embedder: EmbedderChoice = "auto"
    """auto (openai when OPENAI_API_KEY is set, else local), local (all-MiniLM-L6-v2 from its
    package), openai (EMBEDDING_MODEL through the OpenAI API), or hashing (tiny, offline, for tests
    and machines without torch)."""
    sophia_model_cache: Path | None = None
    """Where the local model's ONNX files are kept, made once from the packaged weights (`sophia
    prepare-model`); default $XDG_CACHE_HOME/sophia or ~/.cache/sophia."""
    local_query_weights: QueryWeights = "int8"
    """The local model's weights for queries: int8 (an 8-bit copy, ~1.5 ms faster a query, vectors
    within cosine 0.98 of fp32) or fp32 (exactly the transcripts' vectors). Transcripts always
    embed in fp32; `sophia prepare-model` makes both files."""
    openai_api_key: SecretStr | None = None
    """OpenAI (or compatible) API key: embeddings (SOPHIA_EMBEDDER auto or openai) and LLM
    summaries."""
    openai_base_url: HttpURL | None = None
    """OpenAI-compatible API base URL, e.g. a proxy, a model server or an Azure OpenAI resource's
    https://NAME.openai.azure.com/openai/v1/; default: OpenAI's."""
    embedding_model: str = Field("text-embedding-3-small", min_length=1)
    """OpenAI embedding model (on Azure: the deployment name)."""
    embedding_dims: int = Field(1536, ge=1, le=8192)
    """Vector size of EMBEDDING_MODEL; text-embedding-3 models shorten to it."""
    chunk_tokens: int | None = Field(None, ge=32)
    """Chunk size in the embedder's own tokens; default: the embedder's own (254 word pieces for the
    local model, 700 cl100k tokens for OpenAI)."""
    chunk_overlap: int | None = Field(None, ge=0)
    """Tokens repeated between neighbouring chunks; default 50 (100 for OpenAI)."""

    # --- search --------------------------------------------------------------------------
    search_alpha: float = Field(0.5, ge=0, le=1)
    """Hybrid weight: 1 = pure vector, 0 = pure BM25."""
    search_limit: int = Field(5, ge=1, le=100)
    """Hits returned by default."""
    search_floor: bool = True
    """Leave out hits whose raw evidence (cosine or BM25) is under the floor calibrated for the
    embedder, rather than pad answers to the limit (core/relevance.py)."""
    search_rerank: bool = True
    """Reorder the store's top 100 hybrid candidates (50 in call scope) with the fitted ranker
    (core/ranking/: neighbours, whole-call evidence, title and speaker words); off: the
    store's fused order, as before the ranker."""

    # --- insights ------------------------------------------------------------------------
    sophia_summarizer: Literal["auto", "extractive", "llm"] = "auto"
    """auto (llm when OPENAI_API_KEY is set, else extractive), extractive (quotes, offline,
    deterministic) or llm (LLM_MODEL writes cited bullets)."""
    competitors: str = ""
    """Competitors to track, comma-separated; aliases after '=' separated by '|', e.g. 'DealForge,
    Quotient AI=Quotient|QAI'. Gong competitor trackers add more."""
    stalled_days: int = Field(21, ge=1)
    """An open opportunity with no call for this many days is stalled."""
    cache_ttl_s: int = Field(3600, ge=0)
    """Query cache lifetime; 0 disables it."""

    # --- production backends -------------------------------------------------------------
    weaviate_endpoint: HttpURL | None = None
    """Weaviate REST URL (scheme://host[:port]); when set, the index lives in Weaviate instead of
    LanceDB."""
    weaviate_api_key: SecretStr | None = None
    """Weaviate API key (sent as a bearer token); optional."""
    weaviate_grpc_host: str | None = None
    """Host of Weaviate's gRPC endpoint; default: the host of WEAVIATE_ENDPOINT. TLS follows the
    endpoint's scheme."""
    weaviate_grpc_port: int = Field(50051, ge=1, le=65535)
    """Port of Weaviate's gRPC endpoint."""
    weaviate_collection: str = Field("GongChunk", pattern=r"^[A-Z][_0-9A-Za-z]{0,200}$")
    """Weaviate collection of the chunks; calls and the index record live in <name>Call and
    <name>Meta."""
    weaviate_ef_construction: int = Field(128, ge=4, le=4096)
    """HNSW efConstruction of a new Weaviate collection."""
    redis_url: RedisURL | None = None
    """Redis URL (redis://, rediss:// or unix://): the query cache, query vectors and the index
    generation, shared by every replica."""
    llm_model: str = "gpt-4o-mini"
    """Chat model of the LLM summarizer (OpenAI-compatible API)."""

    # --- Slack ---------------------------------------------------------------------------
    slack_bot_token: SecretStr | None = None
    """Slack bot token (xoxb-...); with SLACK_APP_TOKEN it turns the bot on."""
    slack_app_token: SecretStr | None = None
    """Slack app-level token (xapp-..., connections:write) for Socket Mode."""
    slack_api_url: HttpURL = "https://slack.com/api/"
    """Slack Web API base URL (keep the trailing /)."""
    allowed_channels: str = ""
    """Channel ids (or #names) where the bot answers, comma-separated; empty: everywhere it is
    invited. DMs are always allowed."""
    slack_rate_limit: int = Field(20, ge=0)
    """Slack requests per user per minute; 0 turns the limit off."""

    # --- scheduler -----------------------------------------------------------------------
    sync_folder: Path | None = None
    """Without Gong credentials: a Gong-shaped folder the scheduler ingests at start and every
    SYNC_INTERVAL_MINUTES (`make run` watches samples/: drop a `*.call.json` file in)."""
    gong_webhook_public_key: str | None = None
    """The public key (PEM, or the path of a PEM file) Gong shows for an automation rule
    with "Signed JWT header" authentication; unset: POST /api/gong/webhook answers 404."""
    gong_webhook_max_age_s: float = Field(300, gt=0, le=3600)
    """How old (by its `iat`) a webhook token may be; older ones are refused as expired."""
    gong_webhook_max_bytes: int = Field(2_000_000, ge=1024)
    """Largest webhook body accepted (Gong sends the whole call's data)."""
    sync_interval_minutes: float = Field(10, gt=0)
    """Minutes between Gong polls (only when Gong credentials are set): each asks only for
    calls since the checkpoint, less SYNC_POLL_OVERLAP_HOURS."""
    sync_interval_hours: float | None = Field(None, gt=0)
    """Deprecated: hours between Gong syncs. When set it replaces SYNC_INTERVAL_MINUTES (and
    says so in the log); use SYNC_INTERVAL_MINUTES instead."""
    sync_poll_overlap_hours: float = Field(6, ge=0, le=72)
    """How far before the checkpoint each poll asks again: Gong lists a call only once it has
    ended and been processed, after its start time."""
    sync_repoll_every_hours: float = Field(12, gt=0)
    """How often a poll re-reads the whole SYNC_REPOLL_DAYS (late analysis and transcripts)."""
    account_channels: Path | None = None
    """YAML file mapping accounts to the Slack channel that gets each new call's card
    (`accounts: {Name: "#channel"}`, optional `default:`); unset: no cards."""
    call_card_max_age_hours: float = Field(48, gt=0)
    """Only calls that ended this recently get a card (a backfill posts none)."""
    brief_channels: str = "#sales-team"
    """Channels that get the weekly brief, comma-separated; empty: no brief."""
    brief_cron: Crontab = "0 9 * * mon"
    """When the weekly brief is posted: a crontab line in SOPHIA_TIMEZONE."""
    purge_cron: Crontab = "30 3 * * *"
    """When the daily purge runs (calls past RETENTION_DAYS, then the store's compaction): a crontab
    line in SOPHIA_TIMEZONE."""

    # --- REST API ------------------------------------------------------------------------
    api_host: str = "127.0.0.1"
    """Address the REST API listens on (0.0.0.0 in containers)."""
    api_port: int = Field(8000, ge=0, le=65535)
    """Port of the REST API; 0 turns it off."""
    sophia_api_keys: SecretStr | None = None
    """REST API keys, comma-separated `name:key` pairs (a bare key is named by its hash); when set,
    every endpoint but health needs `Authorization: Bearer <key>`."""
    api_rate_limit: int = Field(60, ge=0)
    """REST requests per API key (or client address) per minute; 0: off."""
    trusted_proxies: IPNetworks = ""
    """Reverse proxies (IP addresses or CIDR ranges, comma-separated) whose X-Forwarded-For header
    names the client, for the per-client rate limit; empty: the header is ignored and the connecting
    address is the client."""
    log_format: Literal["json", "text"] = "json"
    """Log lines of `sophia run`: json (one object per line) or text."""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    """Lowest level `sophia run` logs."""

    # --- governance ----------------------------------------------------------------------
    access_policy: Path | None = None
    """YAML file of restricted accounts and who may see them (Slack users, user groups, API key
    names); other accounts are open to everyone."""
    audit_max_bytes: int = Field(10_000_000, ge=10_000)
    """Size at which the audit log rotates."""
    audit_backups: int = Field(10, ge=1)
    """Rotated audit log files kept."""
    pii_extra_patterns: Regexes = Field(default_factory=list)
    """Extra PII regular expressions as a JSON list (backslashes doubled, as JSON wants), e.g.
    ["ACCT-\\\\d{6}"]; after changing them run `sophia reindex` to re-redact."""

    sophia_timezone: TimeZoneName = "UTC"
    """Time zone for dates in answers and periods such as 'this week'."""
    sophia_now: PinnedInstant = None
    """Pins Sophia's clock to this instant (ISO 8601 with a zone, e.g. 2026-11-25T15:00:00Z):
    periods, retention, the samples' dates and the audit log read it. For tests and replaying a past
    answer; leave unset in production."""

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if (self.gong_access_key is None) != (self.gong_access_secret is None):
            raise ValueError(
                "GONG_ACCESS_KEY and GONG_ACCESS_SECRET must be set together (one is missing)"
            )
        if (
            self.chunk_tokens is not None
            and self.chunk_overlap is not None
            and self.chunk_overlap >= self.chunk_tokens
        ):
            raise ValueError("CHUNK_OVERLAP must be smaller than CHUNK_TOKENS")
        if self.sophia_embedder == "openai" and self.openai_api_key is None:
            raise ValueError("SOPHIA_EMBEDDER=openai needs OPENAI_API_KEY (it is not set)")
        return self

    @property
    def sync_interval(self) -> timedelta:
        """Time between Gong polls: SYNC_INTERVAL_HOURS when set (deprecated), else minutes."""
        if self.sync_interval_hours is not None:
            return timedelta(hours=self.sync_interval_hours)
        return timedelta(minutes=self.sync_interval_minutes)

    @property
    def gong_webhook_key(self) -> str | None:
        """The webhook's public key as PEM text (read from its file when given a path)."""
        value = self.gong_webhook_public_key
        if value is None or value.lstrip().startswith("-----BEGIN"):
            return value
        try:
            return Path(value).expanduser().read_text()
        except OSError as exc:
            raise ConfigError(f"GONG_WEBHOOK_PUBLIC_KEY: cannot read {value}: {exc}") from None

    @property
    def gong_configured(self) -> bool:
        """True when both Gong credentials are present."""
        return self.gong_access_key is not None and self.gong_access_secret is not None

    @property
    def salesforce_configured(self) -> bool:
        """True when CRM enrichment is on: the login URL and both app credentials are set."""
        return None not in (
            self.salesforce_login_url,
            self.salesforce_client_id,
            self.salesforce_client_secret,
        )

    @property
    def slack_configured(self) -> bool:
        """True when both Slack tokens are present."""
        return self.slack_bot_token is not None and self.slack_app_token is not None

    @property
    def brief_channel_list(self) -> list[str]:
        return comma_items(self.brief_channels)

    @property
    def allowed_channel_list(self) -> list[str]:
        return comma_items(self.allowed_channels)

    @property
    def trusted_proxy_list(self) -> list[str]:
        return comma_items(self.trusted_proxies)

    @property
    def api_keys(self) -> dict[str, str]:
        """API key name -> key. A bare key is named `key-` plus the start of its hash."""
        keys: dict[str, str] = {}
        raw = self.sophia_api_keys.get_secret_value() if self.sophia_api_keys else ""
        for item in comma_items(raw):
            name, sep, key = item.partition(":")
            if not sep:
                name, key = f"key-{hashlib.sha256(item.encode()).hexdigest()[:8]}", item
            keys[name.strip()] = key.strip()
        return keys


def load_settings(**overrides: Any) -> Settings:
    """Read settings; a bad value raises `ConfigError` naming the variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        names = [str(part).upper() for part in error["loc"] if isinstance(part, str)]
        message = error["msg"].removeprefix("Value error, ")
        problems.append(f"{'.'.join(names)}: {message}" if names else message)
    return "Invalid configuration: " + "; ".join(problems)


def settings_table() -> str:
    """docs/configuration.md's table, generated from `Settings` so it cannot drift."""
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        default = field.default_factory() if field.default_factory else field.default  # type: ignore[call-arg]
        shown = "—" if default in (None, "", []) else f"`{default}`"
        # A pipe inside a cell would end it: escape the ones descriptions use as syntax.
        # A docstring wraps; a table cell is one line.
        meaning = " ".join((field.description or "").split()).replace("|", "\\|")
        rows.append(f"| `{name.upper()}` | {shown} | {meaning} |")
    return "\n".join(rows)
