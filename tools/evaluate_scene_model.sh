#!/usr/bin/env bash
# Measure voiceart's shipped text-to-image model (models/dmgan/scenes) on the held-out scenes and
# regenerate the docs' figures: what the probe finds in the pictures drawn from the held-out captions
# (named things, time of day, weather, ground) beside the real pictures (the ceiling) and an untrained
# generator (the floor); R-precision and FD-Lite0 with the same baselines; the held-out words outside
# the vocabulary; the grid of 16 held-out captions chosen by the seed.
#   tools/evaluate_scene_model.sh [DATA_DIR] [IMAGE_ENCODER]
#     DATA_DIR       a scene data set of `voiceart data scenes` (default runs/scenes/data); SPLIT (test) is measured
#     IMAGE_ENCODER  the DAMSM image encoder trained with the model, for R-precision; it is not shipped, it
#                    only measures (default runs/scenes/damsm/image_encoder.pth; "-": no R-precision, as for
#                    a model whose encoder is gone: another DAMSM's would score its own words, not the model)
# MODEL (default models/dmgan/scenes), PROBE (default MODEL/probe.pt), SPLIT (test; val to choose among models),
# COUNT (pictures; default one per held-out picture), SEED (0), THREADS (2), REPORT
# (docs/text2image-scenes-eval.json) and GRID (docs/images/text2image-scenes-grid.jpg) override the rest.
# CUDA is used when present.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-runs/scenes/data}
IMAGE_ENCODER=${2:-runs/scenes/damsm/image_encoder.pth}
MODEL=${MODEL:-models/dmgan/scenes}
PROBE=${PROBE:-$MODEL/probe.pt}
SPLIT=${SPLIT:-test}
SEED=${SEED:-0}
THREADS=${THREADS:-2}
REPORT=${REPORT:-docs/text2image-scenes-eval.json}
GRID=${GRID:-docs/images/text2image-scenes-grid.jpg}

ENCODER_ARGS=()
[ "$IMAGE_ENCODER" = "-" ] || ENCODER_ARGS=(--image-encoder "$IMAGE_ENCODER")
for f in "$DATA/$SPLIT/labels.json" "${ENCODER_ARGS[@]:1}" "$PROBE" "$MODEL/netG.pth" "$MODEL/text_encoder.pth" \
         "$MODEL/captions.pickle" "$MODEL/config.json"; do
    [ -f "$f" ] || { echo "evaluate_scene_model: $f is missing: tools/train_scene_model.sh makes the data, the encoders, the probe and the model; or give the paths (see the top of this script)." >&2; exit 2; }
done
.venv/bin/voiceart --threads "$THREADS" eval dmgan "$DATA/$SPLIT" --model "$MODEL" "${ENCODER_ARGS[@]}" \
    --probe "$PROBE" --seed "$SEED" ${COUNT:+--count "$COUNT"} --grid "$GRID" -o "$REPORT"
size=$(stat -c %s "$GRID")
[ "$size" -lt 400000 ] || { echo "evaluate_scene_model: $GRID is $size bytes, over the 400 KB the docs allow." >&2; exit 1; }
