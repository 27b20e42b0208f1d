"""The peers on the same GPU and the same weights, beside bench_cuda's numbers.

Hugging Face's GPT2LMHeadModel loads the model directory `gpt2 init` wrote (config.json +
model.safetensors): its fp32 logits must equal ours (bench_cuda's logits file, 1e-4), then its
bf16 training step at (16, 1024) and its greedy `generate` at batch 1 and 64 are timed as
bench_cuda times ours. With --nanogpt DIR (a folder holding nanoGPT's model.py, brought with the
checkout, not part of it) nanoGPT's model is timed too, with torch.compile and fused AdamW.
Prints a table of our time over the peer's time.

    python3 scripts/gpu_peers.py --model-dir DIR --ours bench_cuda.json [--nanogpt DIR]
"""
import argparse
import json
import sys
import time

import torch


def timed_steps(step, warmup=3, steps=10):
    for _ in range(warmup):
        step()
    torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    torch.cuda.synchronize()
    return (time.perf_counter() - start) / steps


def prompts(batch):
    # The prompts bench_cuda decodes: 16 tokens each.
    return torch.tensor([[(b * 131 + t * 17) % 50000 for t in range(16)] for b in range(batch)])


def hf_checks(model_dir, ours, B=16, T=1024):
    from safetensors.torch import load_file
    from transformers import GPT2LMHeadModel

    torch.backends.cuda.matmul.allow_tf32 = False
    model = GPT2LMHeadModel.from_pretrained(model_dir, torch_dtype=torch.float32).cuda().eval()
    reference = load_file(ours["logits_file"])
    with torch.no_grad():
        logits = model(reference["input_ids"].cuda()).logits.float().cpu()
    error = (logits - reference["logits"]).abs().max().item()
    print(f"HF logits vs ours (fp32, TF32 off): max |diff| = {error:.3g}", flush=True)
    result = {"logits_max_abs_diff": error}

    torch.backends.cuda.matmul.allow_tf32 = True
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=6e-4, betas=(0.9, 0.95),
                                  weight_decay=0.1)
    ids = torch.randint(model.config.vocab_size, (B, T + 1), device="cuda")

    # HF shifts labels itself, so labels = inputs gives the same next-token loss; the time is
    # what matters here.
    def hf_train_step():
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = model(ids[:, :-1], labels=ids[:, :-1]).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()

    seconds = timed_steps(hf_train_step)
    result["train_tokens_per_s"] = B * T / seconds
    print(f"HF train step bf16 ({B}, {T}): {seconds * 1e3:.1f} ms, "
          f"{B * T / seconds:.0f} tokens/s", flush=True)
    del optimizer
    model.eval()
    result["decode"] = []
    for row in ours["decode"]:
        batch, new = row["batch"], row["new_tokens"]
        inputs = prompts(batch).cuda()
        kwargs = dict(max_new_tokens=new, min_new_tokens=new, do_sample=False,
                      pad_token_id=model.config.eos_token_id,
                      attention_mask=torch.ones_like(inputs))
        with torch.no_grad():
            model.generate(inputs, **kwargs)
            torch.cuda.synchronize()
            start = time.perf_counter()
            out = model.generate(inputs, **kwargs)
            torch.cuda.synchronize()
        seconds = time.perf_counter() - start
        same = out[0, 16:].tolist() == row["first_tokens"]
        result["decode"].append({"batch": batch, "tokens_per_s": batch * new / seconds,
                                 "same_tokens_as_ours": same})
        print(f"HF greedy batch {batch}: {batch * new / seconds:.0f} tokens/s, "
              f"first sequence equal to ours: {same}", flush=True)
    return result


def nanogpt_train(folder, B=16, T=1024):
    sys.path.insert(0, folder)
    from model import GPT, GPTConfig  # nanoGPT's model.py

    torch.backends.cuda.matmul.allow_tf32 = True
    model = GPT(GPTConfig(block_size=1024, vocab_size=50257, n_layer=12, n_head=12, n_embd=768,
                          dropout=0.0, bias=True)).cuda()
    optimizer = model.configure_optimizers(0.1, 6e-4, (0.9, 0.95), "cuda")
    model = torch.compile(model)
    ids = torch.randint(50257, (B, T + 1), device="cuda")

    def step():
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            _, loss = model(ids[:, :-1], ids[:, 1:])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()

    seconds = timed_steps(step, warmup=5)
    print(f"nanoGPT + torch.compile train step bf16 ({B}, {T}): {seconds * 1e3:.1f} ms, "
          f"{B * T / seconds:.0f} tokens/s", flush=True)
    return {"train_tokens_per_s": B * T / seconds}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--ours", required=True, help="bench_cuda's --out JSON")
    parser.add_argument("--nanogpt", help="folder with nanoGPT's model.py")
    parser.add_argument("--out", help="write the peers' numbers here (JSON)")
    args = parser.parse_args()
    ours = json.load(open(args.ours))
    ours["logits_file"] = args.ours + ".logits.safetensors"
    peers = {"hf": hf_checks(args.model_dir, ours)}
    if args.nanogpt:
        peers["nanogpt"] = nanogpt_train(args.nanogpt)
    print("\n| work | ours | peer | ours / peer time |")
    print("|---|---:|---:|---:|")
    ours_train = ours["train"]["tokens_per_s"]
    for name, peer in peers.items():
        if "train_tokens_per_s" in peer:
            p = peer["train_tokens_per_s"]
            print(f"| train bf16 (16, 1024) vs {name} | {ours_train:.0f} tok/s | {p:.0f} tok/s "
                  f"| {p / ours_train:.2f} |")
    for mine, theirs in zip(ours["decode"], peers["hf"]["decode"]):
        print(f"| greedy batch {mine['batch']} vs hf | {mine['tokens_per_s']:.0f} tok/s "
              f"| {theirs['tokens_per_s']:.0f} tok/s "
              f"| {theirs['tokens_per_s'] / mine['tokens_per_s']:.2f} |")
    if args.out:
        json.dump(peers, open(args.out, "w"), indent=2)


if __name__ == "__main__":
    main()
