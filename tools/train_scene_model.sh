#!/usr/bin/env bash
# Reproduce voiceart's shipped text-to-image model (models/dmgan/scenes) from nothing:
# build the scene data, train DAMSM, train DM-GAN, install it, measure it on the held-out split
# (tools/evaluate_scene_model.sh).
#   tools/train_scene_model.sh [WORK_DIR]        (default: runs/scenes; about 4.5 h on a 2-core CPU)
# DMGAN_STEPS / DAMSM_STEPS / THREADS override the step counts and CPU threads (CUDA is used when present).
# Stopping (Ctrl-C) and running it again goes on where it stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${1:-runs/scenes}
DAMSM_STEPS=${DAMSM_STEPS:-10000}
DMGAN_STEPS=${DMGAN_STEPS:-25000}
THREADS=${THREADS:-2}
VA=(.venv/bin/voiceart --threads "$THREADS")

[ -f "$WORK/data/test/captions.txt" ] || "${VA[@]}" data scenes "$WORK/data" --count 20000 --test-count 1000 --seed 0
"${VA[@]}" train damsm "$WORK/data/train" -o "$WORK/damsm" --preset scenes --steps "$DAMSM_STEPS" --save-every 500
"${VA[@]}" train dmgan "$WORK/data/train" --damsm "$WORK/damsm" -o "$WORK/gan" --preset scenes --steps "$DMGAN_STEPS" \
    --save-every 250 --sample-every 1000
mkdir -p models/dmgan/scenes
cp "$WORK/gan/netG.pth" "$WORK/gan/text_encoder.pth" "$WORK/gan/captions.pickle" "$WORK/gan/config.json" models/dmgan/scenes/
THREADS=$THREADS tools/evaluate_scene_model.sh "$WORK/data/test" "$WORK/damsm/image_encoder.pth"
echo "New checksums for voiceart/weights.py DMGAN_SHIPPED and models/MODELS.md:"
(cd models/dmgan/scenes && sha256sum netG.pth text_encoder.pth captions.pickle)
