"""`pimflow events subscribe|unsubscribe|status`: Akeneo Event Platform subscriptions for event-driven
profiles (`source.events: true`), through the platform's management API (`pimflow.events.management`).

- `subscribe PROFILE --url URL [--email E]`: pimflow's subscriber on the profile's PIM gets (or keeps)
  one https subscription to the receiver of the profile's Akeneo connection, for the six product and
  product model event types, with the connection's `events_secret`. Running it again changes nothing
  (or updates the event types and the secret, or resumes a suspended subscription).
- `unsubscribe PROFILE [--url URL]`: removes the subscriptions to that connection's receiver (and the
  subscriber once it has none).
- `status [PROFILE] [--json]`: the subscribers and subscriptions of the PIM of each event-driven
  profile (or of the one named), marking those that deliver to the profile's receiver.

PROFILE is a profile id (from the profiles folder) or a YAML file. Exit 1 with the reason on stderr
(profile not event-driven, connection not set up for events, an answer of the API).
"""
from __future__ import annotations

import json
import sys


def add_parser(commands) -> None:
    events = commands.add_parser("events", help="Akeneo Event Platform subscriptions of event-driven profiles")
    actions = events.add_subparsers(dest="action", required=True)
    subscribe = actions.add_parser("subscribe", help="subscribe the profile's receiver to its PIM's product events")
    subscribe.add_argument("profile", help="profile id or YAML file (its akeneo source has events: true)")
    subscribe.add_argument("--url", required=True,
                           help="the public URL of the Airflow API server (behind your TLS termination), or the "
                                "receiver's full URL .../pimflow/events/akeneo/<connection>")
    subscribe.add_argument("--email", help="the subscriber's technical contact, when pimflow's subscriber is created")
    subscribe.set_defaults(run=_subscribe)
    unsubscribe = actions.add_parser("unsubscribe", help="remove the subscriptions to the profile's receiver")
    unsubscribe.add_argument("profile", help="profile id or YAML file")
    unsubscribe.add_argument("--url", help="only the subscription to this URL (default: every one to the receiver)")
    unsubscribe.set_defaults(run=_unsubscribe)
    status = actions.add_parser("status", help="the subscribers and subscriptions of the event-driven profiles' PIMs")
    status.add_argument("profile", nargs="?", help="only this profile (id or YAML file)")
    status.add_argument("--json", action="store_true", help="print the API's answers as JSON")
    status.set_defaults(run=_status)


class CliError(Exception):
    """What stops a command, said on stderr."""


def find_profile(name: str):
    """The profile a PROFILE argument names: a YAML file, or an id in the profiles folder."""
    from pimflow.loader import default_profiles_dir, load_profile_for_dag, profile_argument

    try:
        profile = profile_argument(name)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if profile is not None:
        return profile
    found = load_profile_for_dag(name)
    if found:
        return found[0].profile
    raise CliError(f"no valid profile with id {name!r} in {default_profiles_dir()}")


def event_profiles(name: str | None) -> list:
    """The event-driven profiles a command is about (the one named, which must be event-driven)."""
    from pimflow.event_runs import is_event_driven

    if name is not None:
        profile = find_profile(name)
        if not is_event_driven(profile):
            raise CliError(f"profile {profile.id!r}: source.events is not true (an akeneo source opts in to "
                           f"Akeneo's events with `events: true`)")
        return [profile]
    from pimflow.loader import default_profiles_dir, load_profiles, profile_files

    loaded, _ = load_profiles(files=profile_files(default_profiles_dir()))
    return [item.profile for item in loaded if is_event_driven(item.profile)]


def platform_of(conn_id: str):
    from pimflow.events.management import EventPlatform, target_of

    try:
        target, token = target_of(conn_id)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    return EventPlatform(target, token)


def _guarded(action) -> int:
    from akeneo.errors import AkeneoError

    from pimflow.events.management import EventPlatformError

    try:
        return action()
    except (CliError, EventPlatformError, AkeneoError) as exc:
        print(f"pimflow events: {exc}", file=sys.stderr)
        return 1


def _subscribe(args) -> int:
    def action() -> int:
        from pimflow.events.management import receiver_url

        (profile,) = event_profiles(args.profile)
        conn_id = profile.source.connection
        try:
            url = receiver_url(args.url, conn_id)
        except ValueError as exc:
            raise CliError(str(exc)) from None
        if url.startswith("http://"):
            print(f"warning: {url} is not https: Akeneo delivers to https URLs only (the sandbox accepts http)",
                  file=sys.stderr)
        subscriber, subscription, done = platform_of(conn_id).subscribe(url, args.email)
        print(f"{profile.id}: subscription {subscription.get('id')} {done} ({subscription.get('status')}) — "
              f"{len(subscription.get('events') or ())} event types to {url}, subscriber {subscriber.get('id')} "
              f"({subscriber.get('name')}) on {subscriber.get('subject')}")
        return 0
    return _guarded(action)


def _unsubscribe(args) -> int:
    def action() -> int:
        (profile,) = event_profiles(args.profile)
        conn_id = profile.source.connection
        url = None
        if args.url:
            from pimflow.events.management import receiver_url

            try:
                url = receiver_url(args.url, conn_id)
            except ValueError as exc:
                raise CliError(str(exc)) from None
        removed = platform_of(conn_id).unsubscribe(url)
        if not removed:
            print(f"{profile.id}: no subscription delivers to the receiver of {conn_id}: nothing to remove")
        for subscription in removed:
            print(f"{profile.id}: subscription {subscription.get('id')} to {subscription['config']['url']} removed")
        return 0
    return _guarded(action)


def _status(args) -> int:
    def action() -> int:
        from pimflow.events.management import points_at

        profiles = event_profiles(args.profile)
        if not profiles:
            print("no event-driven profile (an akeneo source with events: true)")
            return 0
        report = {}
        for conn_id in dict.fromkeys(p.source.connection for p in profiles):
            report[conn_id] = platform_of(conn_id).status()
        if args.json:
            print(json.dumps(report, indent=2))
            return 0
        for conn_id, subscribers in report.items():
            names = ", ".join(p.id for p in profiles if p.source.connection == conn_id)
            receiving = [s for subscriber in subscribers for s in subscriber["subscriptions"] if points_at(s, conn_id)]
            state = ("receiving events" if any(s.get("status") == "active" for s in receiving)
                     else "NOT subscribed: run pimflow events subscribe")
            print(f"connection {conn_id} (profiles {names}): {state}")
            for subscriber in subscribers:
                print(f"  subscriber {subscriber.get('id')} {subscriber.get('name')!r} {subscriber.get('status')}")
                for s in subscriber["subscriptions"]:
                    mark = " ← this connection's receiver" if points_at(s, conn_id) else ""
                    reason = f" ({s['status_reason']})" if s.get("status_reason") else ""
                    print(f"    subscription {s.get('id')} {s.get('status')}{reason}: "
                          f"{len(s.get('events') or ())} event types → {(s.get('config') or {}).get('url')}{mark}")
        return 0
    return _guarded(action)
