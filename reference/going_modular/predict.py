"""Predicts the class of one image with a TinyVGG saved by train.py.

    $ python -m reference.going_modular.predict --image data/04-pizza-dad.jpeg \\
          --model models/05_going_modular_script_mode_tinyvgg_model.pth
    [INFO] Predicting on data/04-pizza-dad.jpeg
    [INFO] Pred class: pizza, Pred prob: 0.412

The image is read as uint8, scaled to [0, 1], resized to 64x64 and given a batch dimension, as in
chapter 04. The number of hidden units and classes is read from the saved weights, so any model
train.py wrote loads; a file that is not a TinyVGG's state_dict is refused with the reason.
"""
import argparse
import sys

import torch

from reference._torchvision import io, transforms
from reference.going_modular import model_builder, utils

CLASS_NAMES = ["pizza", "steak", "sushi"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Classify an image with a saved TinyVGG.")
    parser.add_argument("--image", required=True, help="path of the image to classify")
    parser.add_argument("--model", "--model-path", dest="model",
                        default="models/05_going_modular_script_mode_tinyvgg_model.pth",
                        help="saved model (.pth, .pt or .safetensors)")
    parser.add_argument("--class-names", nargs="+", default=CLASS_NAMES,
                        help="the class names, in the training folder's order")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    return parser.parse_args(argv)


def load_model(model_path, num_classes, device="cpu"):
    """A TinyVGG with the weights in model_path (hidden units read from the file)."""
    state_dict = utils.load_state_dict_file(model_path)
    first = state_dict.get("conv_block_1.0.weight")
    if first is None or first.ndim != 4:
        raise ValueError(f"{model_path} does not hold a TinyVGG state_dict (no 4-D "
                         f"'conv_block_1.0.weight'; keys: {sorted(state_dict)[:6]}...)")
    model = model_builder.TinyVGG(input_shape=first.shape[1], hidden_units=first.shape[0],
                                  output_shape=num_classes)
    try:
        model.load_state_dict(state_dict)
    except RuntimeError as error:
        raise ValueError(f"{model_path} does not fit a TinyVGG with {first.shape[0]} hidden units "
                         f"and {num_classes} classes for 64x64 images:\n{error}") from None
    return model.to(device)


def predict_on_image(image_path, model_path, class_names=CLASS_NAMES, device="cpu"):
    """(predicted class name, probabilities [num_classes] as a list of floats)."""
    model = load_model(model_path, len(class_names), device)
    image = io.read_image(str(image_path)).type(torch.float32)
    image = image / 255.
    transform = transforms.Resize(size=(64, 64))
    image = transform(image)
    model.eval()
    with torch.inference_mode():
        image = image.to(device)
        pred_logits = model(image.unsqueeze(dim=0))
        pred_prob = torch.softmax(pred_logits, dim=1)
        pred_label = torch.argmax(pred_prob, dim=1)
        pred_label_class = class_names[pred_label.cpu()]
    print(f"[INFO] Pred class: {pred_label_class}, Pred prob: {pred_prob.max():.3f}")
    return pred_label_class, pred_prob[0].cpu().tolist()


def main(argv=None):
    args = parse_args(argv)
    print(f"[INFO] Predicting on {args.image}")
    return predict_on_image(args.image, args.model, args.class_names, args.device)


if __name__ == "__main__":
    try:
        main()
    except (FileNotFoundError, ValueError) as error:   # a missing folder or file, a wrong model
        sys.exit(f"error: {error}")
