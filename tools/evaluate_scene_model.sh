#!/usr/bin/env bash
# Measure voiceart's shipped text-to-image model (models/dmgan/scenes) on the held-out scenes and
# regenerate the docs' figures: R-precision, FD-Lite0 beside its floor (real against real) and
# ceiling (an untrained generator), the held-out words outside the vocabulary, and the grid of 16
# held-out captions chosen by the seed.
#   tools/evaluate_scene_model.sh [TEST_DIR] [IMAGE_ENCODER]
#     TEST_DIR       the held-out split of `voiceart data scenes` (default runs/scenes/data/test)
#     IMAGE_ENCODER  the DAMSM image encoder trained with the model; it is not shipped, it only measures
#                    (default runs/scenes/damsm/image_encoder.pth)
# MODEL (default models/dmgan/scenes), COUNT (pictures; default one per held-out picture), SEED (0),
# THREADS (2), REPORT (docs/text2image-scenes-eval.json) and GRID (docs/images/text2image-scenes-grid.jpg)
# override the rest. CUDA is used when present.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-runs/scenes/data/test}
IMAGE_ENCODER=${2:-runs/scenes/damsm/image_encoder.pth}
MODEL=${MODEL:-models/dmgan/scenes}
SEED=${SEED:-0}
THREADS=${THREADS:-2}
REPORT=${REPORT:-docs/text2image-scenes-eval.json}
GRID=${GRID:-docs/images/text2image-scenes-grid.jpg}

for f in "$DATA/captions.txt" "$IMAGE_ENCODER" "$MODEL/netG.pth" "$MODEL/text_encoder.pth" "$MODEL/captions.pickle" "$MODEL/config.json"; do
    [ -f "$f" ] || { echo "evaluate_scene_model: $f is missing: tools/train_scene_model.sh makes the data, the encoders and the model; or give the paths (see the top of this script)." >&2; exit 2; }
done
.venv/bin/voiceart --threads "$THREADS" eval dmgan "$DATA" --model "$MODEL" --image-encoder "$IMAGE_ENCODER" \
    --seed "$SEED" ${COUNT:+--count "$COUNT"} --grid "$GRID" -o "$REPORT"
size=$(stat -c %s "$GRID")
[ "$size" -lt 400000 ] || { echo "evaluate_scene_model: $GRID is $size bytes, over the 400 KB the docs allow." >&2; exit 1; }
