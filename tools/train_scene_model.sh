#!/usr/bin/env bash
# Reproduce voiceart's shipped text-to-image model (models/dmgan/scenes) from nothing:
# build the scene data (version 2: a large subject in every picture), train the probe that checks
# what generated pictures show, train DAMSM, train DM-GAN (its generator starts from the first shipped
# scene model, taken from this repository's history), install it, measure it on the held-out split
# (tools/evaluate_scene_model.sh).
#   tools/train_scene_model.sh [WORK_DIR]        (default: runs/scenes; about 2 h on a quiet 2-core CPU)
# DMGAN_STEPS / DAMSM_STEPS / THREADS override the step counts and CPU threads (CUDA is used when present).
# Stopping (Ctrl-C) and running it again goes on where it stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${1:-runs/scenes}
DAMSM_STEPS=${DAMSM_STEPS:-2500}
DMGAN_STEPS=${DMGAN_STEPS:-10000}
THREADS=${THREADS:-2}
VA=(.venv/bin/voiceart --threads "$THREADS")
# The first shipped scene generator (trained 25,000 steps on version 1 of the data): DM-GAN starts from it,
# so the sky and the land it already draws need not be learned again.
FIRST_MODEL=6a69678

[ -f "$WORK/data/stats.json" ] || "${VA[@]}" data scenes "$WORK/data" --seed 0
[ -f "$WORK/probe.pt" ] || "${VA[@]}" train probe "$WORK/data" -o "$WORK/probe.pt"
"${VA[@]}" train damsm "$WORK/data/train" -o "$WORK/damsm" --preset scenes --steps "$DAMSM_STEPS" --save-every 500
[ -f "$WORK/first-netG.pth" ] || git show "$FIRST_MODEL:models/dmgan/scenes/netG.pth" > "$WORK/first-netG.pth"
"${VA[@]}" train dmgan "$WORK/data/train" --damsm "$WORK/damsm" -o "$WORK/gan" --preset scenes --steps "$DMGAN_STEPS" \
    --init-netg "$WORK/first-netG.pth" --save-every 250 --sample-every 1000
mkdir -p models/dmgan/scenes
cp "$WORK/gan/netG.pth" "$WORK/gan/text_encoder.pth" "$WORK/gan/captions.pickle" "$WORK/gan/config.json" "$WORK/probe.pt" \
    models/dmgan/scenes/
THREADS=$THREADS tools/evaluate_scene_model.sh "$WORK/data" "$WORK/damsm/image_encoder.pth"
echo "New checksums for voiceart/weights.py DMGAN_SHIPPED and models/MODELS.md:"
(cd models/dmgan/scenes && sha256sum netG.pth text_encoder.pth captions.pickle probe.pt)
