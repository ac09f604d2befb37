"""Personas: a saved brand profile that Create applies; private to its owner."""

from studio_common.testing.client import StudioClient

PERSONA = {
    "name": "Roastery",
    "brand_colors": ["#6f4e37", "#fffdd0"],
    "style_preset": "food-photography",
    "subject_keywords": ["coffee beans", "ceramic cup"],
    "avoid_words": ["plastic"],
}


def test_persona_lifecycle_and_use_in_create(user: StudioClient, other_user: StudioClient):
    created = user.post("/api/image-studio/personas", json=PERSONA)
    assert created.status_code == 201, created.text
    persona = created.json()
    assert user.get("/api/image-studio/personas").json()["total"] == 1

    op = user.wait(user.create(prompt="morning promotion", persona_id=persona["id"], width=256, height=256))
    [asset] = user.assets_of(op["operation_id"], 1)
    assert "coffee beans" in asset["prompt"] and "#6f4e37" in asset["prompt"]
    assert op["request"]["persona_id"] == persona["id"]

    renamed = user.http.patch(f"/api/image-studio/personas/{persona['id']}", json={"name": "Roastery EU"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Roastery EU"
    assert renamed.json()["brand_colors"] == PERSONA["brand_colors"]

    assert other_user.get(f"/api/image-studio/personas/{persona['id']}").status_code == 404
    borrowed = other_user.post("/api/image-studio/create", json={"prompt": "x", "persona_id": persona["id"]})
    assert borrowed.status_code == 422 and "persona_id" in borrowed.json()["message"]
    assert other_user.http.delete(f"/api/image-studio/personas/{persona['id']}").status_code == 404

    assert user.http.delete(f"/api/image-studio/personas/{persona['id']}").status_code == 204
    assert user.get(f"/api/image-studio/personas/{persona['id']}").status_code == 404


def test_persona_validation(user: StudioClient):
    bad = user.post("/api/image-studio/personas", json={**PERSONA, "style_preset": "no-such-style"})
    assert bad.status_code == 422 and "style_preset" in bad.json()["message"]
    assert user.post("/api/image-studio/personas", json={"name": ""}).status_code == 422
    colour = user.post("/api/image-studio/personas", json={**PERSONA, "brand_colors": ["notacolour"]})
    assert colour.status_code == 422 and "brand_colors" in colour.json()["message"], colour.text
