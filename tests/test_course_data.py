"""A course's own data beside its rubric (TU Darmstadt's mnist_subset/) is what the training checks use, and
the report says so; the bundled digits stand in otherwise."""
import shutil

import numpy as np
import pytest

from grader import api
from tests.conftest import ROOT, RUBRICS, reference_of

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
    key = api.answer_key("tuda-sml-ss23-hw4", [tmp_path]).values
    assert key["4.2.data.features"] == 784 and key["4.2.data.train_samples"] == 600
    assert key["4.data.source"] == "the course's data (mnist_subset)"
    assert key["4.3.data.train_images"].shape == (500, 784)  # the notebook's files come from it too
    tasks = {t.id: t for t in api.grade([KELLER], sheet="tuda-sml-ss23-hw4", course=[tmp_path]).submissions[0].tasks}
    assert tasks["4.2.d"].status == "passed" and "trained on the course's data (mnist_subset)" in tasks["4.2.d"].detail


def test_the_bundled_digits_stand_in_and_the_report_says_so():
    tasks = {t.id: t for t in api.grade([KELLER], sheet="tuda-sml-ss23-hw4").submissions[0].tasks}
    assert "trained on the bundled 8 x 8 digits" in tasks["4.2.d"].detail


def test_the_learning_rate_main_py_sets_is_used_with_the_rubrics_as_the_fallback(tmp_path):
    """The sheet leaves the learning rate to the student (main.py, read as text, never run): training uses
    theirs; where it was chosen for other data and misses, a second run with the rubric's rate counts."""
    for rate in ("0.2", "50"):
        folder = tmp_path / "tuda-sml-ss23-hw4" / f"Rate{rate.replace('.', '')}_2799990"
        shutil.copytree(KELLER, folder, ignore=shutil.ignore_patterns("*.ipynb"))
        (folder / "main.py").write_text("from experiment import train\n\nif __name__ == '__main__':\n"
                                        f"    learning_rate = {rate}  # tuned on MNIST\n    train(None, None)\n")
    run = {s.name: s for s in api.grade([tmp_path / "tuda-sml-ss23-hw4"]).submissions}
    for name, rate in (("Rate02_2799990", "0.2"), ("Rate50_2799990", "50")):
        assert f"learning_rate = {rate} in main.py: used for 4.2.learning_rate" in run[name].flags
    linear = {n: next(t for t in run[n].tasks if t.id == "4.2.d") for n in run}
    assert linear["Rate02_2799990"].status == "passed" and "rubric's learning rate" not in linear["Rate02_2799990"].detail
    assert linear["Rate50_2799990"].status == "passed" and "rubric's learning rate" in linear["Rate50_2799990"].detail


def test_a_second_run_for_a_students_setting_runs_only_where_the_student_set_one():
    from grader import plans

    setup_jobs = plans.build(api.load_rubric("tuda-sml-ss23-hw4"), api.answer_key("tuda-sml-ss23-hw4").values,
                             reference_of("tuda-sml-ss23-hw4")).jobs
    retries = [j["id"] for j in setup_jobs if j["id"].endswith("/retry")]
    assert retries and not [j for j in plans.personalise(setup_jobs, {}) if j["id"] in retries]
    own = plans.personalise(setup_jobs, {"4.2.learning_rate": 0.2})
    assert {j["id"] for j in own} >= set(retries)
    train = next(s for j in own if j["id"] == "4.2.d#1" for s in j["steps"] if s.get("target") == "experiment.train")
    assert train["args"][-1] == 0.2


@pytest.mark.parametrize("text, value, where", [
    ("learning_rate = 0.2\n", 0.2, "learning_rate = 0.2 in main.py"),
    ("if __name__ == '__main__':\n    lr = 0.05\n    model, losses = train(m, l, x, t, 100, 100, learning_rate=lr)\n",
     0.05, "lr = 0.05 passed as learning_rate in main.py"),
    ("learning_rate: float = 1e-1\n", 0.1, "learning_rate = 0.1 in main.py"),
    ("learning_rate = 0.2\ntrain(m, l, x, t, 100, 100, learning_rate=0.5)\n", 0.5, "learning_rate=0.5 in main.py"),
    ("lr = 0.3\ntrain(learning_rate=lr)\nlr = 0.9\n", 0.3, "lr = 0.3 passed as learning_rate in main.py"),
    ("learning_rate = 0.2\ndef broken(:\n", 0.2, "learning_rate = 0.2 in main.py"),  # does not parse: by lines
    ("learning_rate = float(input())\n", None, None), ("rate = 0.1\n", None, None),
    ("BIG = 1" + "0" * 400 + "\nlearning_rate = 1" + "0" * 400 + "\n", None, None),  # too large for a float
])
def test_the_students_learning_rate_is_read_as_main_py_passes_it_to_train(text, value, where):
    from grader import student_settings
    read = student_settings.read(text, "learning_rate", "main.py")
    assert read == (None if value is None else (pytest.approx(value), where))
