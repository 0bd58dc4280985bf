"""Training the genre classifier: the shipped recipe and the paper's fine-tuning, on tiny data; the ResNet-18 option."""
import json

import pytest
import torch
from PIL import Image

from voiceart import weights
from voiceart.config import Settings
from voiceart.errors import ModelFileError
from voiceart.genre import model as genre_model
from voiceart.genre.classify import GenreStage, ImageGenre
from voiceart.genre.train import folder_examples, stratified_folds
from voiceart.images import load_image
from voiceart.paintings.catalogue import Catalogue

from test_genre import run_cli


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    """Six catalogue paintings laid out WikiArt style: <genre>/<picture>, folder names as WikiArt writes them."""
    root = tmp_path_factory.mktemp("wikiart")
    catalogue = Catalogue.load()
    for folder, genre in (("landscape", "landscape"), ("Religious_Painting", "religious painting")):
        (root / folder).mkdir()
        for i, painting in enumerate([p for p in catalogue if p.genre == genre][:3]):
            load_image(painting.path, 256)[0].save(root / folder / f"{i}.jpg")
    return root


def test_pictures_laid_out_by_genre(tiny_folder):
    examples = folder_examples(tiny_folder)
    assert len(examples) == 6 and {e.genre for e in examples} == {"landscape", "religious painting"}


def test_train_genre_head_on_a_folder_then_classify_with_it(tiny_folder, tmp_path, monkeypatch, capsys):
    out = tmp_path / "head.pt"
    args = ["train", "genre", "--folder", str(tiny_folder), "--views", "2", "--epochs", "3", "--folds", "2", "-o", str(out)]
    code, text, _ = run_cli(args, monkeypatch, capsys)
    assert code == 0 and out.is_file()
    assert "2-fold accuracy" in text and "always saying" in text and f"Wrote {out}" in text
    first = weights.sha256(out)
    assert run_cli(args, monkeypatch, capsys)[0] == 0
    assert weights.sha256(out) == first  # seeded: the same data and seed give the same file

    classifier = ImageGenre(Settings(), weights_path=out)
    assert classifier.genres == ["landscape", "religious painting"]
    assert 0 <= classifier.fusion_weight <= 2
    code, text, _ = run_cli(["classify", str(tiny_folder / "landscape" / "0.jpg"), "--weights", str(out), "--json"], monkeypatch, capsys)
    data = json.loads(text.strip().splitlines()[-1])
    assert code == 0 and set(data["probabilities"]) == {"landscape", "religious painting"}


def test_the_papers_fine_tuning_runs_a_few_steps(tiny_folder, tmp_path, monkeypatch, capsys):
    out = tmp_path / "finetuned.pt"
    before = genre_model.efficientnet_lite0(Settings()).state_dict()
    code, text, err = run_cli(["train", "genre", "--folder", str(tiny_folder), "--finetune", "--epochs", "2", "--batch-size", "2",
                               "--max-steps", "2", "-o", str(out)], monkeypatch, capsys)
    assert code == 0 and "Best validation accuracy" in text and "epoch 1" in err
    checkpoint = torch.load(out, weights_only=True)
    assert checkpoint["recipe"]["lr"] == 0.001 and checkpoint["recipe"]["momentum"] == 0.9 and checkpoint["recipe"]["step_epochs"] == 7
    changed = [k for k, v in checkpoint["backbone_state"].items() if v.is_floating_point() and not torch.equal(v, before[k])]
    assert changed  # the whole network was trained, not only the head
    stage = GenreStage(Settings(), image_weights=out)
    result = stage.classify(image=Image.open(tiny_folder / "landscape" / "1.jpg"))
    assert result.genre in {"landscape", "religious painting"} and result.styles


def test_folds_spread_every_genre():
    labels = [0] * 10 + [1] * 4 + [2]
    folds = stratified_folds(labels, 5, seed=0)
    assert sorted(folds[:10]) == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert len(set(folds[10:14])) == 4


def test_resnet18_is_one_option_away(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    with pytest.raises(ModelFileError, match=r"resnet18-f37072fd\.pth.*IMAGENET1K_V1"):
        genre_model.resnet18(Settings(cache_dir=tmp_path / "cache"))
    # torchvision's file in torch's own cache is found there (random weights stand in for the real ones)
    hub = tmp_path / "torch" / "hub" / "checkpoints"
    hub.mkdir(parents=True)
    from torchvision.models import resnet18

    torch.save(resnet18(weights=None).state_dict(), hub / weights.RESNET18_IMAGENET.filename)
    net = genre_model.genre_net("resnet18", 12, Settings(cache_dir=tmp_path / "cache"))
    assert net(torch.rand(2, 3, 224, 224)).shape == (2, 12)
    (hub / weights.RESNET18_IMAGENET.filename).write_bytes(b"garbage")
    with pytest.raises(ModelFileError, match="cannot be read"):
        genre_model.resnet18(Settings(cache_dir=tmp_path / "cache"))


def test_efficientnet_lite0_matches_the_reference_implementation():
    reference = pytest.importorskip("efficientnet_lite_pytorch")
    ref = reference.EfficientNet.from_pretrained("efficientnet-lite0", weights_path=str(
        weights.find(weights.EFFICIENTNET_LITE0, Settings()))).eval()
    ours = genre_model.efficientnet_lite0(Settings())
    x = torch.randn(2, 3, 224, 224)
    with torch.no_grad():
        assert torch.allclose(ours.classify(x), ref(x), atol=1e-4)
