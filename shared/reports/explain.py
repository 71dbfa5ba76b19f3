"""One line saying what each report figure and chart means, for a manager (the "?" beside a
column or chart on the report page, the legend of the printed A4 page): catalog message ids,
keyed by the column keys of shared/reports/report.py and the chart ids of charts.py."""

from __future__ import annotations

from collections.abc import Iterable

EXPLANATIONS: dict[str, str] = {
    "issued": "Tickets issued in the period (kiosk, reception or staff).",
    "called": "Tickets called to a counter at least once.",
    "served": "Visits that ended with the visitor served (Next after the walk-up time, or Finish).",
    "unresolved": "Visits finished as “not resolved”: the visitor came, the matter stays open.",
    "referred": "Visits finished as “referred to another agency”: the visitor was sent outside "
                "this centre.",
    "no_show": "Tickets whose visitor did not come when called (No-show, or Next within the "
               "walk-up time).",
    "cancelled": "Tickets withdrawn before they were served.",
    "expired": "Tickets still waiting when the service day ended.",
    "transferred": "Tickets sent on to another service of this centre (Transfer); they waited "
                   "again there.",
    "wait_mean_s": "Average time from taking the ticket to the first call.",
    "wait_median_s": "Median: half of the visitors waited less than this, half longer.",
    "wait_p90_s": "p90: 9 visitors in 10 waited less than this; the slowest tenth waited longer.",
    "wait_max_s": "The longest wait of the period.",
    "within_target_pct": "Share of visitors called within their service's target wait.",
    "walkup_mean_s": "Average time from the call to Start (only visits where Start was pressed).",
    "walkup_median_s": "Half of the visitors reached the window sooner than this after the call.",
    "walkup_p90_s": "9 visitors in 10 reached the window sooner than this after the call.",
    "walkup_max_s": "The longest walk-up from the call to the window.",
    "service_mean_s": "Average time at the window: from Start (or the call, when Start was not "
                      "pressed) to the end.",
    "service_median_s": "Half of the visits at the window were shorter than this.",
    "service_p90_s": "9 visits in 10 at the window were shorter than this.",
    "service_max_s": "The longest visit at the window.",
    "ratings": "Visitors who rated their visit on their phone (1–5).",
    "rating_mean": "Average of those ratings.",
    "satisfied_pct": "Share of ratings that were 4 or 5.",
    "response_pct": "Share of served visitors who gave a rating.",
    "estimates": "Called tickets whose printed wait can be checked against the real one.",
    "estimate_abs_error_median_s": "Median absolute error: half of the printed waits were off "
                                   "by less than this, either way.",
    "estimate_within5_pct": "Share of printed waits within 5 minutes of the real wait.",
    "estimate_bias_s": "Bias: the average of real minus printed wait; above zero the ticket "
                       "promised too little, below zero too much.",
    "calls": "Times the counter (or staff member) called a ticket.",
    "visits": "Visits finished at the counter: served, not resolved or referred to another agency.",
    "no_shows": "Calls the visitor did not come to.",
    "open_s": "Time the counter was open (paused time not counted).",
    "idle_waiting_s": "Time the counter was open and free while someone waited for a service it "
                      "serves.",
    # appointments (shared/reports/bookings.py)
    "bookings": "Appointments whose slot falls in the period, made by the 142 call centre, "
                "the reception desk or the portal.",
    "kept": "Booked visitors who checked in within their window: called at their slot.",
    "late": "Booked visitors who came after their window and took a walk-in ticket.",
    "no_show_b": "Appointments nobody checked in for by the end of the late window.",
    "cancelled_b": "Appointments cancelled before their slot (their seat was offered again).",
    "punctual_median_s": "Half of the visitors checked in on time were called less than this "
                         "after their slot's start (below zero: before it).",
    "punctual_p90_s": "9 in 10 visitors checked in on time were called less than this after "
                      "their slot's start.",
    "within5_slot_pct": "Share of visitors checked in on time who were called at most 5 minutes "
                        "after their slot's start.",
    "offered": "Seats the config offered for booking in the period (every slot's capacity, "
               "national and local together, as the config stands now).",
    "used": "Seats whose booked visitor came (on time or late).",
    "used_pct": "Seats used as a share of seats offered.",
}
CHART_EXPLANATIONS: dict[str, str] = {
    "within_target": "Each bar: the share of that service's visitors called within its target "
                     "wait; the dashed line is the goal.",
    "waits_by_hour": "Mean and median wait of the visitors who took their ticket in each hour.",
    "heatmap": "Tickets issued in each hour of each weekday; darker is busier.",
    "satisfaction": "Share of ratings of 4–5, day by day.",
    # the national page's comparison of centres (central/app.py)
    "centres_within_target_pct": "Each bar: the share of the centre's visitors called within "
                                 "their service's target wait.",
    "centres_satisfied_pct": "Each bar: the share of the centre's ratings that were 4 or 5.",
    "centres_wait": "Each bar: the centre's average time from taking the ticket to the first call.",
}


def legend(columns: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(label, explanation msgid) for each figure among `columns` ((key, label) pairs, in the
    order they first appear), once each: the printed page's legend."""
    seen: dict[str, tuple[str, str]] = {}
    for key, label in columns:
        if key in EXPLANATIONS and label not in seen:
            seen[label] = (label, EXPLANATIONS[key])
    return list(seen.values())
