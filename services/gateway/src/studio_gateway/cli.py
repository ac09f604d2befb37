"""`studio` command line: `studio token --user user-1 [--admin]` prints a bearer token."""

import argparse
import sys

from studio_common.auth import issue_token
from studio_gateway.settings import GatewaySettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="studio", description="Image Studio tools")
    commands = parser.add_subparsers(dest="command", required=True)
    token = commands.add_parser("token", help="print a bearer JWT signed with STUDIO_JWT_SECRET")
    token.add_argument("--user", required=True, help="the user id (the token's sub)")
    token.add_argument("--admin", action="store_true", help="grant the admin role")
    token.add_argument("--ttl", type=int, default=86400, help="lifetime in seconds")
    args = parser.parse_args(argv)
    if args.command == "token":
        settings = GatewaySettings()
        print(issue_token(args.user, settings.jwt_secret, admin=args.admin, ttl_seconds=args.ttl,
                          audience=settings.jwt_audience, admin_role=settings.admin_role,
                          issuer=settings.jwt_issuer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
