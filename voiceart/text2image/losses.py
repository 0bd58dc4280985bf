"""DM-GAN's losses: DAMSM word and sentence matching, the GAN losses, and conditioning augmentation's KL.

The DAMSM losses follow AttnGAN (Xu et al. 2018, eqs. 7-14) as the official code computes
them, but for all image-caption pairs of a batch at once instead of a loop over captions.
``similarities[i, j]`` is how well image i matches caption j; the loss is cross-entropy of
the right caption among the batch's (and of the right image), with pairs of the same class
(other than the true pair) left out when class ids are given.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def word_region_similarity(img_features: torch.Tensor, words_emb: torch.Tensor, cap_lens: torch.Tensor,
                           gamma1: float, gamma2: float, return_attention: bool = False):
    """R(image i, caption j) of AttnGAN's eq. 10, for every pair: B_img x B_cap.

    img_features: B x D x h x w region features; words_emb: B x D x L word features;
    cap_lens: B lengths (padding beyond a caption's length is left out).
    """
    img_features, words_emb = img_features.float(), words_emb.float()
    b_img, d = img_features.shape[:2]
    b_cap, _, n_words = words_emb.shape
    context = img_features.reshape(b_img, d, -1)  # B_img x D x R
    valid = torch.arange(n_words, device=words_emb.device)[None, :] < cap_lens.to(words_emb.device)[:, None]  # B_cap x L
    # eq. 7: dot products of every region with every word: B_cap x B_img x R x L
    attn = torch.einsum("idr,jdl->jirl", context, words_emb)
    # eq. 8: normalise over each caption's words ...
    attn = attn.masked_fill(~valid[:, None, None, :], float("-inf")).softmax(dim=3)
    # eq. 9: ... then, sharpened by gamma1, over regions
    attn = (attn * gamma1).softmax(dim=2)
    # the region context of each word: B_cap x B_img x D x L
    weighted = torch.einsum("idr,jirl->jidl", context, attn)
    cos = F.cosine_similarity(words_emb[:, None], weighted, dim=2, eps=1e-8)  # B_cap x B_img x L
    # eq. 10: log sum_l exp(gamma2 * cos), over each caption's words
    sim = torch.log((torch.exp(cos * gamma2) * valid[:, None, :]).sum(dim=2))
    sim = sim.t()  # B_img x B_cap
    if return_attention:
        return sim, attn
    return sim


def _mismatch_mask(class_ids, batch_size: int, device) -> torch.Tensor | None:
    """True where a different sample of the same class would count as a wrong answer."""
    if class_ids is None:
        return None
    ids = torch.as_tensor(class_ids, device=device).reshape(-1)
    mask = ids[:, None] == ids[None, :]
    mask.fill_diagonal_(False)
    return mask if mask.any() else None


def _matching_losses(scores: torch.Tensor, labels: torch.Tensor, class_ids) -> tuple[torch.Tensor, torch.Tensor]:
    mask = _mismatch_mask(class_ids, scores.size(0), scores.device)
    if mask is not None:
        scores = scores.masked_fill(mask, float("-inf"))
    return F.cross_entropy(scores, labels), F.cross_entropy(scores.t(), labels)


def words_loss(img_features, words_emb, labels, cap_lens, class_ids, gamma1: float, gamma2: float, gamma3: float):
    """The DAMSM word loss (image -> caption, caption -> image)."""
    sim = word_region_similarity(img_features, words_emb, cap_lens, gamma1, gamma2) * gamma3
    return _matching_losses(sim, labels, class_ids)


def sentence_similarity(cnn_code: torch.Tensor, sent_emb: torch.Tensor) -> torch.Tensor:
    """Cosine similarity of every image code with every sentence: B_img x B_cap."""
    a, b = cnn_code.float(), sent_emb.float()
    return (a @ b.t()) / (a.norm(dim=1, keepdim=True) * b.norm(dim=1, keepdim=True).t()).clamp(min=1e-8)


def sent_loss(cnn_code, sent_emb, labels, class_ids, gamma3: float):
    """The DAMSM sentence loss (image -> caption, caption -> image)."""
    return _matching_losses(sentence_similarity(cnn_code, sent_emb) * gamma3, labels, class_ids)


def damsm_loss(region_features, cnn_code, words_emb, sent_emb, cap_lens, class_ids, config) -> tuple[torch.Tensor, torch.Tensor]:
    """(word loss, sentence loss), each summed over both directions."""
    labels = torch.arange(cnn_code.size(0), device=cnn_code.device)
    w0, w1 = words_loss(region_features, words_emb, labels, cap_lens, class_ids, config.GAMMA1, config.GAMMA2, config.GAMMA3)
    s0, s1 = sent_loss(cnn_code, sent_emb, labels, class_ids, config.GAMMA3)
    return w0 + w1, s0 + s1


def _bce(logits: torch.Tensor, target: float) -> torch.Tensor:
    logits = logits.float()
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))


def discriminator_loss(net_d, real_imgs, fake_imgs, conditions, kinds=None) -> tuple[torch.Tensor, dict]:
    """Unconditional and conditional real/fake losses plus the mismatched-caption loss; ``kinds`` (B x KIND_DIM,
    what each caption names) joins the condition where the discriminator has a kind projection."""
    real_features = net_d(real_imgs)
    fake_features = net_d(fake_imgs.detach())
    cond_real = _bce(net_d.cond_logits(real_features, conditions, kinds), 1.0)
    cond_fake = _bce(net_d.cond_logits(fake_features, conditions, kinds), 0.0)
    b = real_features.size(0)
    wrong_kinds = kinds[1:b] if kinds is not None else None
    cond_wrong = _bce(net_d.cond_logits(real_features[: b - 1], conditions[1:b], wrong_kinds), 0.0)
    if net_d.UNCOND_DNET is not None:
        real_logits = net_d.UNCOND_DNET(real_features)
        fake_logits = net_d.UNCOND_DNET(fake_features)
        loss = (_bce(real_logits, 1.0) + cond_real) / 2.0 + (_bce(fake_logits, 0.0) + cond_fake + cond_wrong) / 3.0
        stats = {"real_acc": torch.sigmoid(real_logits.float()).mean().item(), "fake_acc": torch.sigmoid(fake_logits.float()).mean().item()}
    else:
        loss = cond_real + (cond_fake + cond_wrong) / 2.0
        stats = {}
    return loss, stats


def generator_adversarial_loss(net_d, fake_img, sent_emb, kinds=None) -> torch.Tensor:
    features = net_d(fake_img)
    loss = _bce(net_d.cond_logits(features, sent_emb, kinds), 1.0)
    if net_d.UNCOND_DNET is not None:
        loss = loss + _bce(net_d.UNCOND_DNET(features), 1.0)
    return loss


def damsm_view(x: torch.Tensor) -> torch.Tensor:
    """The picture shrunk to between half and all of its size and enlarged again, then moved by up to an
    eighth of it (wrapping round): a thing the DAMSM should find survives this, a pixel pattern does not.
    One draw per batch; differentiable, so the generator learns through it."""
    size = x.shape[-1]
    small = max(8, int(size * float(torch.empty(()).uniform_(0.5, 1.0))))
    if small < size:
        x = F.interpolate(F.interpolate(x, size=(small, small), mode="bilinear", align_corners=False, antialias=True),
                          size=x.shape[-2:], mode="bilinear", align_corners=False)
    shift = size // 8
    dy, dx = (int(v) for v in torch.randint(-shift, shift + 1, (2,)))
    return torch.roll(x, shifts=(dy, dx), dims=(-2, -1))


def paired_loss(fake_img: torch.Tensor, real_img: torch.Tensor, size: int) -> torch.Tensor:
    """Mean absolute difference of the two pictures shrunk to ``size`` px: the layout and colours, not the
    texture (which the noise is free to vary)."""
    def shrink(x):
        return F.interpolate(x.float(), size=(size, size), mode="area") if x.shape[-1] > size else x.float()
    return (shrink(fake_img) - shrink(real_img)).abs().mean()


def generator_loss(nets_d, image_encoder, fake_imgs, words_emb, sent_emb, cap_lens, class_ids, config,
                   kinds=None, real_imgs=None) -> tuple[torch.Tensor, dict]:
    """GAN losses of every stage plus LAMBDA times the DAMSM losses of the last stage's image, plus
    PAIRED_WEIGHT times each stage's paired loss against ``real_imgs`` (the captions' own pictures)."""
    logs = {}
    total = 0.0
    for i, net_d in enumerate(nets_d):
        g = generator_adversarial_loss(net_d, fake_imgs[i], sent_emb, kinds)
        logs[f"g_loss{i}"] = g.item()
        total = total + g
    if config.PAIRED_WEIGHT > 0:
        paired = sum(paired_loss(f, r, config.PAIRED_SIZE) for f, r in zip(fake_imgs, real_imgs)) * config.PAIRED_WEIGHT
        logs["paired"] = paired.item()
        total = total + paired
    region_features, cnn_code = image_encoder(damsm_view(fake_imgs[-1]) if config.DAMSM_AUGMENT else fake_imgs[-1])
    w_loss, s_loss = damsm_loss(region_features, cnn_code, words_emb, sent_emb, cap_lens, class_ids, config)
    w_loss, s_loss = w_loss * config.LAMBDA, s_loss * config.LAMBDA
    logs["w_loss"], logs["s_loss"] = w_loss.item(), s_loss.item()
    return total + w_loss + s_loss, logs


def KL_loss(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """The KL divergence of N(mu, sigma) from N(0, 1), averaged over elements (the paper's L_CA)."""
    mu, logvar = mu.float(), logvar.float()
    return -0.5 * torch.mean(1 + logvar - mu.pow(2) - logvar.exp())
