"""DNS-rebinding protection fed from Django's host settings."""

from mcp.server.transport_security import TransportSecuritySettings

from api.mcp.http import transport_security


def test_each_allowed_host_with_any_port_and_its_origins_plus_the_trusted_ones():
    settings = transport_security(["leg.example.ch", "[::1]", ".openleg.ch"], ["https://portal.example.ch"])

    assert settings == TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=["leg.example.ch", "leg.example.ch:*", "[::1]", "[::1]:*", "openleg.ch", "openleg.ch:*"],
        allowed_origins=[
            "https://leg.example.ch", "https://leg.example.ch:*", "https://[::1]", "https://[::1]:*",
            "https://openleg.ch", "https://openleg.ch:*",
            "http://leg.example.ch", "http://leg.example.ch:*", "http://[::1]", "http://[::1]:*",
            "http://openleg.ch", "http://openleg.ch:*",
            "https://portal.example.ch",
        ],
    )


def test_any_host_turns_the_check_off_as_django_accepts_any_host_too():
    assert transport_security(["*"], []) == TransportSecuritySettings(enable_dns_rebinding_protection=False)
