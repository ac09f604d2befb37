"""`studio` command line.

studio token --user user-1 [--admin]       a bearer token signed with STUDIO_JWT_SECRET
studio dlq list [--status parked]          dead letters recorded by billing, newest first
studio dlq show <id>                       one dead letter with its message and headers
studio dlq replay <id>                     send it back to the queue it came from
"""

import argparse
import json
import sys

import httpx

from studio_common.auth import issue_token
from studio_common.service_auth import ServiceAuth, ServiceTokens
from studio_gateway.settings import GatewaySettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="studio", description="Image Studio tools")
    commands = parser.add_subparsers(dest="command", required=True)
    token = commands.add_parser("token", help="print a bearer JWT signed with STUDIO_JWT_SECRET")
    token.add_argument("--user", required=True, help="the user id (the token's sub)")
    token.add_argument("--admin", action="store_true", help="grant the admin role")
    token.add_argument("--ttl", type=int, default=86400, help="lifetime in seconds")
    dlq = commands.add_parser("dlq", help="list, show and replay dead letters (billing's internal API)")
    dlq.add_argument("action", choices=("list", "show", "replay"))
    dlq.add_argument("letter_id", nargs="?", help="the dead letter's id (show, replay)")
    dlq.add_argument("--status", choices=("resolved", "parked", "replayed"), help="list only these")
    args = parser.parse_args(argv)
    settings = GatewaySettings()
    if args.command == "token":
        print(
            issue_token(
                args.user,
                settings.jwt_secret,
                admin=args.admin,
                ttl_seconds=args.ttl,
                audience=settings.jwt_audience,
                admin_role=settings.admin_role,
                issuer=settings.jwt_issuer,
            )
        )
        return 0
    return _dead_letters(settings, args)


def _dead_letters(settings: GatewaySettings, args) -> int:
    if args.action != "list" and not args.letter_id:
        print(f"studio dlq {args.action} needs a dead letter id", file=sys.stderr)
        return 2
    # An operator acts with the gateway's service key (the only caller billing lets operate dead letters).
    auth = ServiceAuth(ServiceTokens(settings), "billing", ("dead-letters.operate",))
    with httpx.Client(base_url=settings.billing_url, timeout=30, auth=auth) as billing:
        if args.action == "list":
            response = billing.get(
                "/internal/dead-letters", params={"status": args.status} if args.status else {}
            )
        elif args.action == "show":
            response = billing.get(f"/internal/dead-letters/{args.letter_id}")
        else:
            response = billing.post(f"/internal/dead-letters/{args.letter_id}/replay")
    if response.status_code != 200:
        print(f"billing answered {response.status_code}: {response.text}", file=sys.stderr)
        return 1
    answer = response.json()
    if args.action == "list":
        for letter in answer:
            print(
                f"{letter['id']}  {letter['status']:<8} {letter['queue']:<10} {letter['event_type']:<26} "
                f"{letter['operation_id'] or '-':<32} {letter['resolution']}"
            )
        print(f"{len(answer)} dead letter(s)")
    else:
        print(json.dumps(answer, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
