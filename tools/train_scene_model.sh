#!/usr/bin/env bash
# Train voiceart's next text-to-image model from nothing, the v2 recipe: build the scene data (version 2:
# a large subject in every picture), train the probe that checks what generated pictures show (the
# shipped models/dmgan/scenes/probe.pt), train DAMSM over frozen ImageNet Lite0, train DM-GAN (its generator starts from the
# first shipped scene model, taken from this repository's history), then measure it beside the
# shipped model on the validation split. INSTALL=1 installs it into models/dmgan/scenes and measures
# it on the held-out test split (docs' figures). The shipped generator came from this script as of
# commit 6a69678 (version 1 of the data); the v2 recipe has not beaten it yet (docs/text2image.md).
#   tools/train_scene_model.sh [WORK_DIR]        (default: runs/scenes; about 2.5 h on a quiet 2-core CPU)
# DMGAN_STEPS / DAMSM_STEPS / THREADS / VAL_COUNT override the step counts, CPU threads and validation pictures
# (CUDA is used when present).
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
# The independent reader: learned from the probe split alone, it shares no weights with the Lite0 DAMSM that a
# generator trained here learns to please (docs/text2image.md, "The independent check").
[ -f "$WORK/probe_scratch.pt" ] || "${VA[@]}" train probe "$WORK/data" -o "$WORK/probe_scratch.pt" --backbone scratch
"${VA[@]}" train damsm "$WORK/data/train" -o "$WORK/damsm" --preset scenes --backbone lite0 --steps "$DAMSM_STEPS" --save-every 500
[ -f "$WORK/first-netG.pth" ] || git show "$FIRST_MODEL:models/dmgan/scenes/netG.pth" > "$WORK/first-netG.pth"
"${VA[@]}" train dmgan "$WORK/data/train" --damsm "$WORK/damsm" -o "$WORK/gan" --preset scenes --steps "$DMGAN_STEPS" \
    --init-netg "$WORK/first-netG.pth" --save-every 250 --sample-every 1000
for who in new shipped; do
    if [ $who = new ]; then model=$WORK/gan encoder=$WORK/damsm/image_encoder.pth; else model=models/dmgan/scenes encoder=-; fi
    SPLIT=val COUNT=${VAL_COUNT:-300} MODEL=$model PROBE=$WORK/probe.pt REPORT=$WORK/val-$who.json GRID=$WORK/val-$who.jpg \
        THREADS=$THREADS tools/evaluate_scene_model.sh "$WORK/data" "$encoder" | sed -n '/^What the probe/,/^FD-Lite0/p' | sed "s/^/$who: /"
    "${VA[@]}" eval dmgan "$WORK/data/val" --model "$model" --probe "$WORK/probe_scratch.pt" --no-lite0 --count "${VAL_COUNT:-300}" \
        -o "$WORK/val-$who-independent.json" 2>/dev/null | sed -n '/^What the probe/,/^  ground/p' | sed "s/^/$who (independent reader): /"
done
if [ "${INSTALL:-0}" != 1 ]; then
    echo "Not installed: compare the new model (new:) with the shipped one (shipped:) above, by both readers; INSTALL=1 installs it."
    exit 0
fi
mkdir -p models/dmgan/scenes
cp "$WORK/gan/netG.pth" "$WORK/gan/text_encoder.pth" "$WORK/gan/captions.pickle" "$WORK/gan/config.json" "$WORK/probe.pt" \
    models/dmgan/scenes/
THREADS=$THREADS tools/evaluate_scene_model.sh "$WORK/data" "$WORK/damsm/image_encoder.pth"
echo "New checksums for voiceart/weights.py (DMGAN_SHIPPED, SCENE_PROBE) and models/MODELS.md:"
(cd models/dmgan/scenes && sha256sum netG.pth text_encoder.pth captions.pickle probe.pt)
