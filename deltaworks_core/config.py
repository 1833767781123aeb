"""Typed settings for Delta Works.

Settings come from a TOML file (``config/deltaworks.toml`` or the file named by
``DELTAWORKS_CONFIG``) with environment overrides for the QuestDB connection.
Credentials are never stored here: the configuration names the environment
variables that hold them.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from deltaworks_core.market_model import MarketModel
from deltaworks_core.numbers import Amount, Bps, Count, Notional
from deltaworks_core.venues.profiles import profile_for

CONFIG_ENV_VAR = "DELTAWORKS_CONFIG"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_PATH = REPO_ROOT / "config" / "deltaworks.toml"
STATE_DIR = Path(os.environ.get("DELTAWORKS_HOME", Path.home() / ".deltaworks"))

AccountType = Literal["spot", "margin", "future", "funding"]


class ConfigError(ValueError):
    """A configuration file or value is wrong; the message names key, value and what is allowed."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class QuestDBSettings(_Strict):
    """Where QuestDB listens, and whether Delta Works runs the server itself."""

    managed: bool = True
    host: str = "127.0.0.1"
    http_port: int = Field(default=9000, ge=1, le=65535)
    pg_port: int = Field(default=8812, ge=1, le=65535)
    min_http_port: int = Field(default=9003, ge=1, le=65535)
    line_tcp_port: int = Field(default=9009, ge=1, le=65535)
    user: str = "admin"
    password_env: str = "DELTAWORKS_QUESTDB_PASSWORD"
    version: str = "9.3.4"
    data_dir: Path = STATE_DIR / "questdb"
    java_home: Path | None = None
    jar: Path | None = None
    startup_timeout_s: float = Field(default=90.0, gt=0)

    @property
    def password(self) -> str:
        """The PGWire/ILP password: from ``password_env``, QuestDB's default otherwise."""
        return os.environ.get(self.password_env, "quest")


class ExchangeSettings(_Strict):
    """One exchange account: a ccxt exchange, live or simulated."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    ccxt_id: str = "binance"
    mode: Literal["simulated", "live"] = "simulated"
    account_types: tuple[AccountType, ...] = ("spot", "margin", "future")  # or the profile's
    api_key_env: str | None = None
    secret_env: str | None = None
    passphrase_env: str | None = None  # e.g. OKX's API passphrase (ccxt's ``password``)
    quote_currency: str = "USDT"
    symbols: tuple[str, ...] = ("BTC/USDT", "ETH/USDT")

    @model_validator(mode="before")
    @classmethod
    def _default_account_types(cls, raw: object) -> object:
        """Without ``account_types``: every trading account type of the exchange's profile."""
        if isinstance(raw, dict) and "account_types" not in raw:
            try:
                profile = profile_for(str(raw.get("ccxt_id", "binance")))
            except ValueError:
                return raw  # the ccxt_id validator reports it
            trading = [
                t for w in profile.wallets for t in sorted(w.account_types) if t != "funding"
            ]
            return {**raw, "account_types": tuple(trading)}
        return raw

    @field_validator("ccxt_id")
    @classmethod
    def _has_a_profile(cls, value: str) -> str:
        profile_for(value)
        return value

    @model_validator(mode="after")
    def _account_types_of_the_exchange(self) -> ExchangeSettings:
        allowed = profile_for(self.ccxt_id).account_types
        for account_type in self.account_types:
            if account_type not in allowed:
                raise ValueError(
                    f"account_types: {account_type!r} is not an account type of {self.ccxt_id}; "
                    f"allowed: {', '.join(sorted(allowed))}"
                )
        return self

    @model_validator(mode="after")
    def _passphrase_where_needed(self) -> ExchangeSettings:
        has_passphrase = profile_for(self.ccxt_id).capabilities.passphrase
        needs = self.mode == "live" and has_passphrase and self.api_key_env
        if needs and not self.passphrase_env:
            raise ValueError(
                f"passphrase_env: a live {self.ccxt_id} exchange also needs the environment "
                "variable that holds its API passphrase"
            )
        return self

    @model_validator(mode="after")
    def _live_needs_credentials(self) -> ExchangeSettings:
        if self.mode == "live" and (self.api_key_env is None or self.secret_env is None):
            raise ValueError(
                "a live exchange needs api_key_env and secret_env naming the environment "
                "variables that hold its credentials"
            )
        return self

    def missing_credentials(self) -> list[str]:
        """The credential environment variables of a live exchange that are unset or empty."""
        if self.mode != "live":
            return []
        names = (self.api_key_env, self.secret_env, self.passphrase_env)
        return [name for name in names if name is not None and not os.environ.get(name)]

    @field_validator("account_types")
    @classmethod
    def _unique_account_types(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value or len(set(value)) != len(value):
            raise ValueError("must list each account type once, at least one")
        return value


class SimulatorSettings(_Strict):
    """The local exchange simulator that serves every ``mode = "simulated"`` exchange."""

    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=0, le=65535)  # 0: a free port (tests)
    seed: int = 42
    withdrawals_per_exchange: int = Field(default=2000, ge=0)
    history_days: int = Field(default=365, ge=1)
    # impact, book resilience and volume curve (a ``[simulator.market]`` table); none: flat
    market: MarketModel | None = None


class PipelineSettings(_Strict):
    """Dagster schedules and sync behaviour."""

    holdings_interval_minutes: int = Field(default=15, ge=1, le=1440)
    withdrawal_overlap_hours: float = Field(default=72.0, ge=0)
    partitions_start_date: str = Field(default="2025-01-01", pattern=r"^\d{4}-\d{2}-\d{2}$")
    candle_timeframe: Literal["1m"] = "1m"

    @field_validator("holdings_interval_minutes")
    @classmethod
    def _fits_a_cron_schedule(cls, value: int) -> int:
        interval_cron(value)
        return value

    @property
    def holdings_cron(self) -> str:
        """The cron expression of the holdings snapshot schedule."""
        return interval_cron(self.holdings_interval_minutes)


def interval_cron(minutes: int) -> str:
    """A cron expression firing every ``minutes`` minutes, aligned to the hour or the day."""
    if minutes < 60 and 60 % minutes == 0:
        return f"*/{minutes} * * * *"
    if minutes % 60 == 0 and 1440 % minutes == 0:
        hours = minutes // 60
        return "0 0 * * *" if hours == 24 else f"0 */{hours} * * *"
    raise ValueError(
        "must divide an hour (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60) "
        "or be whole hours that divide a day"
    )


class RiskLimits(BaseModel):
    """Limits applied to every order before it reaches a venue (amounts in base, money in quote).

    The defaults come from ``[exec.risk]``; the execution service's API may replace them
    while it runs.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    max_order_notional: Notional = 250_000.0
    max_position: dict[str, Amount] = Field(
        default_factory=dict, description="asset -> largest holding per exchange after a buy"
    )
    max_open_orders: Count = 500
    price_band_bps: Bps = 500.0
    max_book_age_s: float = Field(
        default=5.0,
        gt=0,
        allow_inf_nan=False,
        description="an older streamed top of book refuses the order",
    )
    max_spread_bps: float | None = Field(
        default=None,
        gt=0,
        allow_inf_nan=False,
        description="a wider bid/ask spread refuses the order; None: any",
    )
    allowed_symbols: list[str] | None = Field(
        default=None, description="None: every symbol configured for the exchange"
    )
    check_balance: bool = True


class ArbitrageSettings(_Strict):
    """The service's arbitrage executor (pairs are enabled through the API or CLI)."""

    leg_timeout_s: float = Field(
        default=5.0,
        gt=0,
        le=300,
        description="how long settling waits for a leg's venue before going on with what "
        "is known of it (the trade stays unresolved until every leg has ended)",
    )


class ExecSettings(_Strict):
    """The execution service."""

    host: str = "127.0.0.1"
    port: int = Field(default=8800, ge=1, le=65535)
    token_env: str = "DELTAWORKS_API_TOKEN"
    poll_interval_s: float = Field(default=1.0, gt=0)
    risk: RiskLimits = RiskLimits()
    arbitrage: ArbitrageSettings = ArbitrageSettings()


class RecorderSettings(_Strict):
    """The market-data recorder: which streams it stores, how often, and its share of them."""

    enabled: bool = False  # also started by ``deltaworks-exec serve`` when true
    symbols: tuple[str, ...] | None = None  # None: each exchange's configured symbols
    depth: int = Field(default=20, ge=1, le=1000)  # book levels per side in book_snapshots
    snapshot_interval_s: float = Field(default=1.0, gt=0)
    flush_interval_s: float = Field(default=0.2, gt=0)
    batch_rows: int = Field(default=20_000, ge=1)
    reconnect_initial_s: float = Field(default=0.5, gt=0)
    reconnect_max_s: float = Field(default=30.0, gt=0)
    # permessage-deflate on the streams: less bandwidth, but deflating and inflating every
    # message costs CPU on both ends, and the recorder's CPU is what limits its rate
    compress_streams: bool = False
    # trades per symbol ccxt.pro keeps between two reads of the recorder (about 1.7 KB each,
    # for good: a full buffer stays full); a recorder further behind loses the oldest to
    # it, which it notices and back-fills over REST
    stream_buffer_trades: int = Field(default=2_000, ge=1)
    shard_by: Literal["exchange", "symbol"] = "exchange"
    shard_count: int = Field(default=1, ge=1)
    shard_index: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _shard_in_range(self) -> RecorderSettings:
        if self.shard_index >= self.shard_count:
            raise ValueError(
                f"shard_index {self.shard_index} must be below shard_count {self.shard_count}"
            )
        return self


class BackupSettings(_Strict):
    """The scheduled backup (a Dagster schedule) and how many backups it keeps."""

    folder: Path = STATE_DIR / "backups"
    keep: int = Field(default=7, ge=1)
    cron: str = Field(default="0 2 * * *", pattern=r"^\S+( \S+){4}$")


class Settings(_Strict):
    """Everything Delta Works reads from its configuration file."""

    questdb: QuestDBSettings = QuestDBSettings()
    simulator: SimulatorSettings = SimulatorSettings()
    pipelines: PipelineSettings = PipelineSettings()
    exec: ExecSettings = ExecSettings()
    recorder: RecorderSettings = RecorderSettings()
    backup: BackupSettings = BackupSettings()
    exchanges: tuple[ExchangeSettings, ...] = ()

    @field_validator("exchanges")
    @classmethod
    def _unique_names(cls, value: tuple[ExchangeSettings, ...]) -> tuple[ExchangeSettings, ...]:
        names = [exchange.name for exchange in value]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"exchange names must be unique, repeated: {', '.join(duplicates)}")
        return value

    def exchange(self, name: str) -> ExchangeSettings:
        """The exchange called ``name``; a clear error naming the configured ones otherwise."""
        for exchange in self.exchanges:
            if exchange.name == name:
                return exchange
        known = ", ".join(e.name for e in self.exchanges) or "none"
        raise ConfigError(f"exchanges: no exchange named {name!r} (configured: {known})")


_ENV_OVERRIDES = {
    "DELTAWORKS_QUESTDB_HOST": ("questdb", "host"),
    "DELTAWORKS_QUESTDB_HTTP_PORT": ("questdb", "http_port"),
    "DELTAWORKS_QUESTDB_PG_PORT": ("questdb", "pg_port"),
    "DELTAWORKS_QUESTDB_MIN_HTTP_PORT": ("questdb", "min_http_port"),
    "DELTAWORKS_QUESTDB_MANAGED": ("questdb", "managed"),
    "DELTAWORKS_QUESTDB_DATA_DIR": ("questdb", "data_dir"),
}


def _describe(error: dict) -> str:
    key = ".".join(str(part) for part in error["loc"])
    value = error.get("input")
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        return f"{key}: unknown key (value {value!r}); check the spelling against the reference"
    if error["type"] == "literal_error":
        allowed = error.get("ctx", {}).get("expected", "")
        return f"{key}: {value!r} is not allowed; expected {allowed}"
    return f"{key}: {value!r} is invalid: {message}"


def settings_from_dict(raw: dict, source: str = "<dict>") -> Settings:
    """Validate a raw mapping (a parsed TOML file) into ``Settings``."""
    merged = {
        section: dict(values) if isinstance(values, dict) else values
        for section, values in raw.items()
    }
    for variable, (section, key) in _ENV_OVERRIDES.items():
        if variable in os.environ:
            merged.setdefault(section, {})[key] = os.environ[variable]
    try:
        return Settings.model_validate(merged)
    except ValidationError as exc:
        problems = "; ".join(_describe(error) for error in exc.errors())
        raise ConfigError(f"{source}: {problems}") from None


def config_path() -> Path:
    """The configuration file in effect: ``$DELTAWORKS_CONFIG`` or the repository default."""
    return Path(os.environ.get(CONFIG_ENV_VAR, DEFAULT_CONFIG_PATH))


def load_settings(path: Path | None = None) -> Settings:
    """Load and validate the configuration file; raise ``ConfigError`` naming what is wrong."""
    path = path or config_path()
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(
            f"configuration file {path} does not exist; set {CONFIG_ENV_VAR} to an existing file"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    settings = settings_from_dict(raw, source=str(path))
    for exchange in settings.exchanges:
        if missing := exchange.missing_credentials():
            raise ConfigError(
                f"{path}: exchanges.{exchange.name}: the live exchange's credentials are "
                f"missing: environment variable {', '.join(missing)} is not set or empty"
            )
    return settings
