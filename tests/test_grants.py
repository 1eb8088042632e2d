"""What a resource's name tells it grants, where the resource does not declare ``grants``."""

from __future__ import annotations

import pytest

from tmkb_graph.architecture import Resource
from tmkb_graph.grants import grants_by_name, resource_grants


@pytest.mark.parametrize(
    "name",
    ["ApiKey", "APIKey", "api_key", "ApiToken", "ApiCredential", "ApiClient", "OAuthClient", "ScimToken",
     "ServiceAccount", "DeployKey", "OrgAccessToken", "ProjectAccessToken", "ManagementToken", "AccessKey"],
)
def test_standing_credentials_grant_access(name: str) -> None:
    assert grants_by_name(name) == "access"


@pytest.mark.parametrize(
    "name",
    ["Webhook", "WebHook", "webhook_subscription", "WebhookEndpoint", "OutgoingWebhook", "EventWebhook", "EventHook",
     "Destination", "LogDestination", "WebhookConfig", "BuildHook"],
)
def test_places_data_is_pushed_to_are_deliveries(name: str) -> None:
    assert grants_by_name(name) == "delivery"


@pytest.mark.parametrize(
    "name",
    # one delivery's record, a hook that receives, a sign-in's or a link's token, a customer's stored
    # secret, a billing subscription, a plain record
    ["WebhookEvent", "WebhookDelivery", "WebhookAttempt", "IncomingWebhook", "InboundHook", "AccessToken", "OAuthToken",
     "SessionToken", "LinkToken", "MagicLinkToken", "PersonalAccessToken", "UserToken", "TeamSecret", "SigningKey",
     "Subscription", "Client", "Task", ""],
)
def test_other_names_grant_nothing(name: str) -> None:
    assert grants_by_name(name) == "nothing"


def test_a_declared_grant_wins_over_the_name() -> None:
    assert resource_grants("Webhook", Resource(grants="nothing")) == "nothing"
    assert resource_grants("Relay", Resource(grants="delivery")) == "delivery"
    assert resource_grants("ApiKey", None) == "access"


def test_a_misspelt_grant_is_an_error_naming_the_nearest_word() -> None:
    from tmkb_graph.architecture import parse_architecture
    from tmkb_graph.errors import InputError

    text = "name: x\ncomponents:\n  a: {type: api}\nresources:\n  Hook: {owner: tenant, grants: delivry}\n"
    with pytest.raises(InputError) as caught:
        parse_architecture(text, "bad.yaml")
    assert "bad.yaml: line 5: resources.Hook.grants: unknown grant 'delivry' (did you mean 'delivery'?)" in str(caught.value)
