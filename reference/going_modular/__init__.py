"""Chapter 05, going modular: chapter 04's notebook code turned into a package of scripts.

    $ python -m reference.going_modular.get_data --standin          # or the real download
    $ python -m reference.going_modular.train --epochs 5 --model-path models/tinyvgg.safetensors
    $ python -m reference.going_modular.predict --image pizza.jpg --model models/tinyvgg.safetensors

  get_data.py       download pizza_steak_sushi (or write the offline stand-in) into data/
  data_setup.py     create_dataloaders: two ImageFolders and their DataLoaders
  engine.py         train_step, test_step, train (a tqdm bar over the epochs)
  model_builder.py  TinyVGG (padding 0: 8,083 parameters with hidden_units=10)
  utils.py          save_model and load_state_dict_file (.pth/.pt or .safetensors)
  train.py          train a TinyVGG from the command line
  predict.py        classify one image with a saved TinyVGG

The package exists twice, line for line: `reference/going_modular/` on PyTorch and
`minitorch_lite/course/going_modular/` on minitorch_lite. The two differ only where the library is
named (the imports, and the prefix of every library call), so `diff` shows exactly the swap;
a checkpoint saved as `.safetensors` by one loads in the other.
"""
