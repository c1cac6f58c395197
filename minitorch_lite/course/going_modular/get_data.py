"""Gets the course's pizza_steak_sushi images into data/pizza_steak_sushi (skipped when there).

    $ python -m minitorch_lite.course.going_modular.get_data             # download the course's zip
    $ python -m minitorch_lite.course.going_modular.get_data --standin   # offline: write the drawn stand-in

The download is the course's: fetch the zip from its URL, unzip it into the folder, delete the
zip. `--standin` writes minitorch_lite's synthetic STAND-IN instead (drawn food in the same
layout and split sizes, NOT the real photos; a STANDIN.txt note in the folder says so).
"""
import argparse
import os
import shutil
import zipfile
from pathlib import Path

import requests

from minitorch_lite.vision.food_standin import write_pizza_steak_sushi_standin

DATA_URL = "https://github.com/mrdbourke/pytorch-deep-learning/raw/main/data/pizza_steak_sushi.zip"


def download_data(data_path="data", url=DATA_URL, timeout=60):
    """Download and unzip the images to data_path/pizza_steak_sushi unless that folder exists.

    Returns the folder. A failed download leaves no folder behind, so the next call tries again.
    """
    data_path = Path(data_path)
    image_path = data_path / "pizza_steak_sushi"
    if image_path.is_dir():
        print(f"{image_path} directory exists.")
        return image_path
    print(f"Did not find {image_path} directory, creating one...")
    image_path.mkdir(parents=True, exist_ok=True)
    zip_path = data_path / "pizza_steak_sushi.zip"
    try:
        with open(zip_path, "wb") as f:
            request = requests.get(url, timeout=timeout)
            request.raise_for_status()
            print("Downloading pizza, steak, sushi data...")
            f.write(request.content)
        with zipfile.ZipFile(zip_path, "r") as zip_ref:
            print("Unzipping pizza, steak, sushi data...")
            zip_ref.extractall(image_path)
    except BaseException:
        shutil.rmtree(image_path, ignore_errors=True)
        raise
    finally:
        if zip_path.exists():
            os.remove(zip_path)
    return image_path


def main(argv=None):
    parser = argparse.ArgumentParser(description="Get the pizza, steak and sushi images.")
    parser.add_argument("--data-path", default="data", help="folder to put pizza_steak_sushi in")
    parser.add_argument("--url", default=DATA_URL, help="where to download the zip from")
    parser.add_argument("--standin", action="store_true",
                        help="write the offline synthetic stand-in instead of downloading")
    args = parser.parse_args(argv)
    image_path = Path(args.data_path) / "pizza_steak_sushi"
    if args.standin and not image_path.is_dir():
        print(f"Writing the synthetic STAND-IN (drawn food, NOT the real photos) to {image_path}")
        return write_pizza_steak_sushi_standin(args.data_path)
    return download_data(args.data_path, args.url)


if __name__ == "__main__":
    main()
