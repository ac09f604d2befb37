"""The models layer on real photographs (scikit-image samples): files found, loaded once, used, and the
classical fall-backs when a file is absent."""

import io

import numpy as np
import pytest
from PIL import Image
from skimage import data as samples

from studio_providers.base import ProviderRequest
from studio_providers.local.edit import EDIT_OPERATIONS
from studio_providers.models import faces, segment, store

ASTRONAUT = samples.astronaut()  # 512 x 512, one woman, a helmet and a model shuttle beside her
OFF_CENTRE = np.ascontiguousarray(ASTRONAUT[:, 100:])  # 512 x 412: she stands left of centre
# Hand-checked regions of OFF_CENTRE (x0, y0, x1, y1): her face, and the suit's collar and chest
# below it (the dark collar is where a colour-based cut breaks the body in two).
FACE = (88, 85, 165, 160)
TORSO = (45, 215, 195, 330)


@pytest.fixture
def no_model_files(tmp_path, monkeypatch):
    monkeypatch.setenv(store.MODELS_DIR_ENV, str(tmp_path))
    store.forget()
    yield
    monkeypatch.delenv(store.MODELS_DIR_ENV)
    store.forget()


def png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, "PNG")
    return buffer.getvalue()


def remove_background(image: np.ndarray):
    request = ProviderRequest(
        kind="edit.remove_background", model="local-render", inputs={"image": png(image)}
    )
    out = EDIT_OPERATIONS[request.kind](request)
    with Image.open(io.BytesIO(out.data)) as decoded:
        return out, np.asarray(decoded)[..., 3]


def region(alpha: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    x0, y0, x1, y1 = box
    return alpha[y0:y1, x0:x1]


def test_every_model_file_ships_with_the_repository_and_is_reported_present():
    assert all(store.locate(name) is not None for name in store.MODELS)
    assert set(store.status().values()) == {"ok"}


def test_a_model_is_loaded_once_per_process():
    calls = []
    store.forget()
    try:
        first = store.load("blazeface", lambda path: calls.append(path) or faces._load_net(path))
        second = store.load("blazeface", lambda path: calls.append(path) or faces._load_net(path))
    finally:
        store.forget()
    assert first is second and len(calls) == 1


def test_absent_files_are_reported_with_their_fall_back(no_model_files):
    status = store.status()
    assert status["model:u2netp"] == "absent: saliency-seeded GrabCut in use"
    assert status["model:blazeface"] == "absent: OpenCV Haar cascades in use"
    assert store.load("u2netp", segment._load_u2netp) is None


def test_remove_background_covers_an_off_centre_person_and_clears_the_corners():
    out, alpha = remove_background(OFF_CENTRE)
    assert out.methods == {"segmentation": "selfie+u2netp"}
    assert (region(alpha, FACE) > 127).mean() > 0.97
    assert (region(alpha, TORSO) > 127).mean() > 0.97  # collar and shoulders included
    for y, x in ((0, 0), (0, 411)):  # the top corners: wall on the left, the model shuttle on the right
        assert alpha[y : y + 24, max(0, x - 23) : x + 1].max() < 20, (y, x)


def test_remove_background_keeps_a_held_object_attached_to_the_person():
    _, alpha = remove_background(OFF_CENTRE)
    helmet = (260, 420, 380, 500)  # the black helmet under her arm, at the bottom right
    assert (region(alpha, helmet) > 127).mean() > 0.8


def test_remove_background_uses_u2netp_for_a_subject_that_is_not_a_person():
    out, alpha = remove_background(samples.coffee())
    assert out.methods == {"segmentation": "u2netp"}
    assert alpha[200, 300] > 245 and alpha[0, 0] < 10 and alpha[399, 599] < 10


def test_remove_background_falls_back_to_grabcut_and_says_so(no_model_files):
    out, alpha = remove_background(samples.coffee())
    assert out.methods == {"segmentation": "grabcut-saliency (model files absent)"}
    assert alpha[200, 300] > 245 and alpha[0, 0] < 10


def test_blazeface_finds_the_one_face_and_nothing_in_photos_without_faces():
    scan = faces.find_faces(ASTRONAUT)
    assert scan.method == "blazeface" and scan.count == 1
    x0, y0, x1, y1 = scan.boxes[0]
    assert 0.3 < (x0 + x1) / 2 < 0.55 and 0.15 < (y0 + y1) / 2 < 0.35
    for photo in (samples.coffee(), samples.chelsea(), samples.rocket(), samples.hubble_deep_field()):
        assert faces.find_faces(photo).count == 0


def test_blazeface_finds_small_faces_at_both_edges_of_a_panorama():
    wide = np.concatenate(
        [ASTRONAUT, samples.rocket()[:, :512][:512].repeat(2, axis=0)[:512], ASTRONAUT[:, ::-1]], axis=1
    )
    scan = faces.find_faces(wide)
    assert scan.count == 2
    centres = sorted((b[0] + b[2]) / 2 for b in scan.boxes)
    assert centres[0] < 0.2 and centres[1] > 0.8


def test_faces_fall_back_to_haar_and_say_so(no_model_files):
    scan = faces.find_faces(ASTRONAUT)
    assert scan.method == "haar (model file absent)" and scan.count == 1


def test_content_tags_of_an_upscaled_portrait_include_person():
    from studio_providers.models.tags import describe_output

    upscaled = np.asarray(Image.fromarray(ASTRONAUT).resize((1024, 1024), Image.LANCZOS))
    seen = describe_output(png(upscaled), "image/png")
    assert {"person", "1 face", "portrait", "square"} <= set(seen.tags)
    assert seen.methods == {"faces": "blazeface"} and len(seen.phash) == 16


def test_content_tags_of_a_cut_out_and_of_a_landscape_without_people():
    from studio_providers.models.tags import describe_output, hamming

    out, _ = remove_background(OFF_CENTRE)
    assert {"person", "transparent background", "vertical"} <= set(
        describe_output(out.data, "image/png").tags
    )
    coffee = describe_output(png(samples.coffee()), "image/png")
    assert "person" not in coffee.tags and "horizontal" in coffee.tags and "brown" in coffee.tags
    jpeg = io.BytesIO()
    Image.fromarray(samples.coffee()).resize((300, 200)).save(jpeg, "JPEG", quality=70)
    assert hamming(coffee.phash, describe_output(jpeg.getvalue(), "image/jpeg").phash) <= 6  # same picture
    assert hamming(coffee.phash, describe_output(png(ASTRONAUT), "image/png").phash) > 16
    assert describe_output(b"not a video", "video/mp4").tags == []


def test_tags_fall_back_to_haar_faces_and_say_so(no_model_files):
    from studio_providers.models.tags import describe_output

    seen = describe_output(png(ASTRONAUT), "image/png")
    assert "person" in seen.tags and seen.methods == {"faces": "haar (model file absent)"}


def test_text_embeddings_put_related_texts_close_and_unrelated_apart():
    from studio_providers.models import embed

    car, ramen, query = embed.embed(["a red sports car on a highway", "a bowl of ramen", "automobile"])
    assert abs(float(np.linalg.norm(car)) - 1) < 1e-4 and car.shape == (embed.DIMENSIONS,)
    assert float(query @ car) > 0.3 > float(query @ ramen)


def test_without_the_embedding_files_there_are_no_vectors(no_model_files):
    from studio_providers.models import embed

    assert not embed.available() and embed.embed(["automobile"]) is None
