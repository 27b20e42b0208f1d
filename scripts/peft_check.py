"""LoRA adapters against Hugging Face PEFT itself, both ways, where PEFT is installed (the GPU
image has it; the build machine does not, so tests/io uses an independent numpy writer instead).

1. PEFT loads an adapter our trainer saved: PEFT(base, ours) logits == HF(our merged model).
2. We load an adapter PEFT saved (B made non-zero): HF(our merge of PEFT's) == PEFT(base, it).

    python3 scripts/peft_check.py --gpt2 build/apps/gpt2 --base MODEL_DIR --ours ADAPTER_DIR \
        --work DIR
"""
import argparse
import os
import subprocess

import torch


def logits(model, ids):
    with torch.no_grad():
        return model(ids).logits.double()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gpt2", required=True, help="our gpt2 program")
    parser.add_argument("--base", required=True, help="the base model directory")
    parser.add_argument("--ours", required=True, help="an adapter directory our trainer wrote")
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    from peft import LoraConfig, PeftModel, get_peft_model
    from transformers import GPT2LMHeadModel

    torch.backends.cuda.matmul.allow_tf32 = False
    os.makedirs(args.work, exist_ok=True)
    load = lambda d: GPT2LMHeadModel.from_pretrained(d, torch_dtype=torch.float32).eval()
    base = load(args.base)
    ids = torch.arange(32).remainder(base.config.vocab_size).view(1, 32)
    worst = 0.0

    # 1. Ours into PEFT.
    merged = os.path.join(args.work, "ours_merged")
    subprocess.run([args.gpt2, "merge-adapter", "--model", args.base, "--adapter", args.ours,
                    "--out", merged, "--force"], check=True)
    peft_ours = PeftModel.from_pretrained(load(args.base), args.ours).eval()
    diff = (logits(peft_ours, ids) - logits(load(merged), ids)).abs().max().item()
    print(f"PEFT loads our adapter: max |PEFT(base, ours) - our merge| = {diff:.3g}")
    worst = max(worst, diff)

    # 2. PEFT's into ours.
    config = LoraConfig(r=4, lora_alpha=8, target_modules=["c_attn", "c_proj", "c_fc"],
                        lora_dropout=0.0, fan_in_fan_out=True, task_type="CAUSAL_LM")
    peft_model = get_peft_model(load(args.base), config)
    torch.manual_seed(0)
    for name, p in peft_model.named_parameters():
        if "lora_B" in name:
            torch.nn.init.normal_(p, std=0.02)  # B = 0 would make the check vacuous
    peft_dir = os.path.join(args.work, "peft_adapter")
    peft_model.save_pretrained(peft_dir)
    merged = os.path.join(args.work, "peft_merged_by_us")
    subprocess.run([args.gpt2, "merge-adapter", "--model", args.base, "--adapter", peft_dir,
                    "--out", merged, "--force"], check=True)
    diff = (logits(peft_model.eval(), ids) - logits(load(merged), ids)).abs().max().item()
    print(f"we load PEFT's adapter: max |PEFT(base, its) - our merge| = {diff:.3g}")
    worst = max(worst, diff)
    print("PEFT check:", "ok" if worst < 1e-4 else "FAILED", f"(worst {worst:.3g}, bound 1e-4)")
    raise SystemExit(0 if worst < 1e-4 else 1)


if __name__ == "__main__":
    main()
