"""I8 and I6 through the public API: bad input is a named 4xx and reserves nothing; other users' ids
are 404."""

import pytest

from studio_common.testing.client import StudioClient

BAD_CREATES = [
    ({"prompt": ""}, 422, "prompt"),
    ({"prompt": "   "}, 422, "prompt"),
    ({"prompt": "x", "template_id": "no-such-template"}, 422, "template_id"),
    ({"prompt": "x", "num_variations": 11}, 422, "num_variations"),
    ({"prompt": "x", "num_variations": 0}, 422, "num_variations"),
    ({"prompt": "x", "width": 100000, "height": 512}, 422, "width"),
    ({"prompt": "x", "width": 512}, 422, "width"),
    ({"prompt": "x", "style_preset": "no-such-style"}, 422, "style_preset"),
    ({"prompt": "x", "provider": "nobody"}, 422, "provider"),
    ({"prompt": "x", "aspect_ratio": "7:3"}, 422, "aspect_ratio"),
    ({"prompt": "x", "output_format": "gif"}, 422, "output_format"),
    ({"prompt": "x", "surprise": 1}, 422, "surprise"),
    ({}, 422, "prompt"),
]


@pytest.mark.parametrize(("body", "status", "field"), BAD_CREATES)
def test_bad_create_is_named_4xx_and_reserves_nothing(user: StudioClient, body, status, field):
    response = user.post("/api/image-studio/create", json=body)
    assert response.status_code == status, response.text
    assert field in response.json()["message"]
    assert user.balance()["pending_credits"] == 0
    assert user.get("/api/image-studio/operations").json()["total"] == 0


def test_malformed_json_body(user: StudioClient):
    response = user.post(
        "/api/image-studio/create", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422 and "JSON" in response.json()["message"]


def test_no_token(gateway):
    import httpx

    assert httpx.post(f"{gateway}/api/image-studio/create", json={"prompt": "x"}).status_code == 401


def test_other_users_operation_asset_and_download_are_404(user: StudioClient, other_user: StudioClient):
    op = user.wait(user.create(prompt="private work", width=128, height=128))
    asset_id = op["outputs"][0]["asset_id"]
    user.assets_of(op["operation_id"], 1)
    assert other_user.get(f"/api/image-studio/operations/{op['operation_id']}").status_code == 404
    assert other_user.get(f"/api/image-studio/operations/{op['operation_id']}/events").status_code == 404
    assert other_user.post(f"/api/image-studio/operations/{op['operation_id']}/cancel").status_code == 404
    assert other_user.get(f"/api/content-assets/{asset_id}").status_code == 404
    assert other_user.get(f"/api/content-assets/{asset_id}/download").status_code == 404
    assert other_user.get("/api/content-assets").json()["total"] == 0
    assert other_user.get("/api/image-studio/operations").json()["total"] == 0
    assert user.get(f"/api/content-assets/{asset_id}").status_code == 200


def test_tampered_download_link_is_refused(user: StudioClient):
    import httpx

    op = user.wait(user.create(prompt="signed links", width=128, height=128))
    url = op["outputs"][0]["url"]
    assert httpx.get(url).status_code == 200
    assert httpx.get(url.replace("signature=", "signature=0")).status_code == 403
    assert httpx.get(url.replace("/0.png", "/1.png")).status_code == 403


def test_ids_with_characters_no_id_has_and_absurd_pages_are_named_4xx(
    user: StudioClient, admin: StudioClient
):
    """Found by fuzzing the OpenAPI schema: these used to reach internal URLs and answer 500."""
    for path in (
        "/api/content-assets/%7F",
        "/api/content-assets/a%0Db/versions",
        "/api/content-assets/collections/%13",
        "/api/image-studio/operations/%C3%A5%04",
    ):
        response = user.get(path)
        assert response.status_code == 422 and "_id" in response.text, (path, response.text)
    assert user.post("/api/content-assets/boards/%13/revoke").status_code == 422
    assert admin.http.put("/api/billing/accounts/a%20b/plan", json={"plan": "pro"}).status_code == 422
    huge = user.get("/api/content-assets", params={"page": 10**25})
    assert huge.status_code == 422 and "page" in huge.text


def test_an_asset_id_that_is_not_an_id_is_refused_by_name(user: StudioClient):
    for asset_id in ("\x1b\u00cbyk", "../../internal", "a b"):
        for send in ({"data": {"image_asset_id": asset_id}}, {"json": {"image_asset_id": asset_id}}):
            response = user.post("/api/image-studio/transform/image-to-3d", **send)
            assert response.status_code == 422, response.text
            assert response.json()["detail"][0]["field"] == "image_asset_id"
    assert user.balance()["pending_credits"] == 0
