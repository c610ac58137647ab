"""A newly started local AWS is empty, whatever an earlier one in the same process held."""

from __future__ import annotations

from auditor.emulator import LocalAws


def test_a_new_local_aws_starts_empty() -> None:
    with LocalAws.start() as first:
        org = first.session().client("organizations", endpoint_url=first.endpoint_url)
        org.create_organization(FeatureSet="ALL")
        assert org.describe_organization()["Organization"]["Id"]
    with LocalAws.start() as second:
        org = second.session().client("organizations", endpoint_url=second.endpoint_url)
        # Would raise AlreadyInOrganizationException if the first one's state had leaked.
        org.create_organization(FeatureSet="ALL")
