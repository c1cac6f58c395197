"""Trains a TinyVGG image classifier on an image folder, from the command line.

    $ python -m minitorch_lite.course.going_modular.train --epochs 5 --batch-size 32 --hidden-units 10 \\
          --lr 0.001 --model-path models/05_going_modular_script_mode_tinyvgg_model.pth

Defaults are the course's: data/pizza_steak_sushi/{train,test}, 5 epochs, batches of 32, 10
hidden units, Adam at lr 0.001, images resized to 64x64, seed 42. `--history FILE` also writes
the per-epoch losses and accuracies as JSON, at full precision.
"""
import argparse
import sys
import json
import os
from pathlib import Path

import minitorch_lite as mt

from minitorch_lite.vision import transforms
from minitorch_lite.course.going_modular import data_setup, engine, model_builder, utils


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Train a TinyVGG on an image folder.")
    parser.add_argument("--train-dir", default="data/pizza_steak_sushi/train",
                        help="folder of training images, one sub-folder per class")
    parser.add_argument("--test-dir", default="data/pizza_steak_sushi/test",
                        help="folder of test images, one sub-folder per class")
    parser.add_argument("--epochs", type=int, default=5, help="number of epochs")
    parser.add_argument("--batch-size", type=int, default=32, help="images per batch")
    parser.add_argument("--hidden-units", type=int, default=10, help="filters per convolution")
    parser.add_argument("--lr", type=float, default=0.001, help="Adam's learning rate")
    parser.add_argument("--device", default="cuda" if mt.cuda.is_available() else "cpu",
                        help="cpu or cuda (default: cuda when available)")
    parser.add_argument("--seed", type=int, default=42, help="random seed")
    parser.add_argument("--num-workers", type=int, default=os.cpu_count(),
                        help="DataLoader worker processes")
    parser.add_argument("--model-path", default="models/05_going_modular_script_mode_tinyvgg_model.pth",
                        help="where to save the trained model (.pth, .pt or .safetensors)")
    parser.add_argument("--history", default=None, help="also write the results as JSON here")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.batch_size < 1 or args.hidden_units < 1 or args.lr <= 0:
        parser.error("--epochs, --batch-size and --hidden-units must be at least 1, --lr positive")
    return args


def main(argv=None):
    args = parse_args(argv)
    data_transform = transforms.Compose([
        transforms.Resize((64, 64)),
        transforms.ToTensor(),
    ])
    train_dataloader, test_dataloader, class_names = data_setup.create_dataloaders(
        train_dir=args.train_dir, test_dir=args.test_dir, transform=data_transform,
        batch_size=args.batch_size, num_workers=args.num_workers)

    mt.manual_seed(args.seed)
    mt.cuda.manual_seed(args.seed)
    model = model_builder.TinyVGG(input_shape=3, hidden_units=args.hidden_units,
                                  output_shape=len(class_names)).to(args.device)
    loss_fn = mt.nn.CrossEntropyLoss()
    optimizer = mt.optim.Adam(model.parameters(), lr=args.lr)

    results = engine.train(model=model, train_dataloader=train_dataloader,
                           test_dataloader=test_dataloader, loss_fn=loss_fn, optimizer=optimizer,
                           epochs=args.epochs, device=args.device, progress=not args.no_progress)

    model_path = Path(args.model_path)
    utils.save_model(model=model, target_dir=model_path.parent, model_name=model_path.name)
    if args.history:
        Path(args.history).write_text(json.dumps(results | {"class_names": class_names}))
    return results


if __name__ == "__main__":
    try:
        main()
    except (FileNotFoundError, ValueError) as error:   # a missing folder or file, a wrong model
        sys.exit(f"error: {error}")
