"""A centre that takes bookings, shipping its config to the test's central database through the
real shipper, and the slots the tests book (a working day ahead, never a closed one)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path

from central.bookings import desk
from central.bookings.errors import DeskRefused
from central.bookings.pool import BookingPool
from server.shipping.shipper import Shipper
from shared.bookings.slots import slot_starts
from shared.config.centre import CentreConfig, load_config
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from tests.central.conftest import CentralDb, centre_config_path

SERVICE = "pensions.age"


def bookings_section(seats: int = 4, share: float = 0.5, cutoff_hours: float = 2.0) -> str:
    """A `[bookings]` section: `seats` per half-hour for the pensions category, 09:00–17:00."""
    return (f"\n[bookings]\nslot_min = 30\nnational_share = {share}\n"
            f"national_cutoff_hours = {cutoff_hours}\n"
            f'[[bookings.capacity]]\nservice = "pensions"\nhours = "09:00-17:00"\n'
            f"seats = {seats}\n")


def booking_centre(tmp_path: Path, central: CentralDb, centre_id: str, *, seats: int = 4,
                   share: float = 0.5, cutoff_hours: float = 2.0, bookings: bool = True
                   ) -> tuple[CentreConfig, Path]:
    """The centre added to central, its queue file made and its config shipped."""
    url = central.add_centre(centre_id)
    path = centre_config_path(tmp_path, centre_id, url)
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition("\n[bookings]\n")      # the shipped file's own section out
    central_part = rest[rest.index("\n[central]\n"):] if "\n[central]\n" in rest else ""
    text = head + central_part + (bookings_section(seats, share, cutoff_hours) if bookings else "")
    path.write_text(text, encoding="utf-8")
    config = load_config(path)
    db_path = tmp_path / f"{centre_id}.sqlite"
    LocalQueue(db_path, config, FakeClock(datetime.now(config.tz))).close()
    assert config.central is not None
    shipper = Shipper(db_path, config.central, config)
    try:
        shipper.record_config()
        shipper.ship_pending()
    finally:
        shipper.close()
    return config, db_path


def open_day(config: CentreConfig, after_days: int = 2) -> date:
    """The first day at least `after_days` ahead on which the centre is open."""
    day = datetime.now(config.tz).date() + timedelta(days=after_days)
    while not slot_starts(config, day):
        day += timedelta(days=1)
    return day


def closed_day(config: CentreConfig) -> date:
    """A day ahead on which the centre is closed (a weekend)."""
    day = datetime.now(config.tz).date() + timedelta(days=1)
    while slot_starts(config, day):
        day += timedelta(days=1)
    return day


def slot_at(config: CentreConfig, day: date, hhmm: str = "10:00") -> float:
    """The slot starting at local `hhmm` on `day` (epoch seconds)."""
    hour, minute = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=config.tz).timestamp()


def with_share(config: CentreConfig, tmp_path: Path, share: float) -> CentreConfig:
    """The centre's config with another `[bookings] national_share`."""
    path = tmp_path / f"share-{share}.toml"
    text = Path(config.source).read_text(encoding="utf-8")
    old = f"national_share = {config.bookings.national_share}\n"
    assert old in text
    path.write_text(text.replace(old, f"national_share = {share}\n"), encoding="utf-8")
    return load_config(path)


def record_config(db_path: Path, config: CentreConfig, ship: bool) -> None:
    """The config recorded as in force at the centre (as `novbe serve` does), and shipped."""
    assert config.central is not None
    shipper = Shipper(db_path, config.central, config)
    try:
        shipper.record_config()
        if ship:
            shipper.ship_pending()
    finally:
        shipper.close()


def hundred_at_once(central: CentralDb, request: Callable[[int], desk.BookingRequest]
                    ) -> list[str]:
    """A hundred national booking requests at once, over the desk's pool: each one's outcome
    ("booked", or the reason the desk refused it)."""
    pool = BookingPool(central.admin_url)

    def one(i: int) -> str:
        try:
            with pool.connection() as conn:
                desk.book(conn, request(i))
            return "booked"
        except DeskRefused as exc:
            return exc.reason
    try:
        with ThreadPoolExecutor(max_workers=100) as workers:
            return list(workers.map(one, range(100)))
    finally:
        pool.close()
