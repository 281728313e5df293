"""A course's own data beside its rubric (TU Darmstadt's mnist_subset/) is what the training checks use, and
the report says so; the bundled digits stand in otherwise."""
import shutil

import numpy as np

from grader import api
from tests.conftest import ROOT, RUBRICS

KELLER = ROOT / "submissions" / "tuda-sml-ss23-hw4" / "Keller_2734561_Frank_2729873"


def mnist_like(folder):
    """784-pixel images with a learnable stripe per class, in the course's file layout (one-hot labels)."""
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for split, n in (("train", 600), ("test", 200)):
        labels = rng.integers(0, 10, n)
        images = rng.random((n, 784)) * 0.1
        for i, label in enumerate(labels):
            images[i, label * 70:(label + 1) * 70] += 0.9
        np.save(folder / f"{split}_images.npy", images.astype(np.float32))
        np.save(folder / f"{split}_labels.npy", np.eye(10)[labels])


def test_the_courses_mnist_subset_beside_the_rubric_is_used_and_named(tmp_path):
    rubrics = tmp_path / "rubrics"
    shutil.copytree(RUBRICS, rubrics)
    mnist_like(rubrics / "files" / "tuda-sml-ss23-hw4" / "mnist_subset")
    rubric = rubrics / "tuda-sml-ss23-hw4.toml"
    rubric.write_text(rubric.read_text().replace('dataset = "sklearn-digits"', 'dataset = "mnist_subset"'))
    key = api.answer_key("tuda-sml-ss23-hw4", rubrics).values
    assert key["4.2.data.features"] == 784 and key["4.2.data.train_samples"] == 600
    assert "the course's data in" in key["4.data.source"] and "mnist_subset" in key["4.data.source"]
    assert key["4.3.data.train_images"].shape == (500, 784)  # the notebook's files come from it too
    tasks = {t.id: t for t in api.grade([KELLER], sheet="tuda-sml-ss23-hw4", rubrics=rubrics).submissions[0].tasks}
    assert tasks["4.2.d"].status == "passed" and "trained on the course's data in" in tasks["4.2.d"].detail


def test_the_bundled_digits_stand_in_and_the_report_says_so():
    tasks = {t.id: t for t in api.grade([KELLER], sheet="tuda-sml-ss23-hw4").submissions[0].tasks}
    assert "trained on the bundled 8 x 8 digits" in tasks["4.2.d"].detail
