"""Contains functions for training and testing a model: one epoch each, and the whole loop.

    >>> from reference.going_modular import engine
    >>> results = engine.train(model, train_dataloader, test_dataloader, optimizer, loss_fn,
    ...                        epochs=5, device="cpu")                    # doctest: +SKIP
    >>> sorted(results)                                                   # doctest: +SKIP
    ['test_acc', 'test_loss', 'train_acc', 'train_loss']

The losses are means over the batches of each batch's mean loss; the accuracies are means over the
batches of each batch's share of right answers (the course's definitions).
"""
from typing import Dict, List, Tuple

import torch
from tqdm.auto import tqdm


def train_step(model: torch.nn.Module, dataloader: torch.utils.data.DataLoader,
               loss_fn: torch.nn.Module, optimizer: torch.optim.Optimizer,
               device: torch.device) -> Tuple[float, float]:
    """Trains the model for one epoch: forward, loss, zero_grad, backward, step, per batch.

    Returns (mean training loss, mean training accuracy) over the batches.
    """
    model.train()
    train_loss, train_acc = 0, 0
    for batch, (X, y) in enumerate(dataloader):
        X, y = X.to(device), y.to(device)
        y_pred = model(X)
        loss = loss_fn(y_pred, y)
        train_loss += loss.item()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        y_pred_class = torch.argmax(torch.softmax(y_pred, dim=1), dim=1)
        train_acc += (y_pred_class == y).sum().item() / len(y_pred)
    train_loss = train_loss / len(dataloader)
    train_acc = train_acc / len(dataloader)
    return train_loss, train_acc


def test_step(model: torch.nn.Module, dataloader: torch.utils.data.DataLoader,
              loss_fn: torch.nn.Module, device: torch.device) -> Tuple[float, float]:
    """Evaluates the model on every batch of dataloader in inference mode.

    Returns (mean test loss, mean test accuracy) over the batches.
    """
    model.eval()
    test_loss, test_acc = 0, 0
    with torch.inference_mode():
        for batch, (X, y) in enumerate(dataloader):
            X, y = X.to(device), y.to(device)
            test_pred_logits = model(X)
            loss = loss_fn(test_pred_logits, y)
            test_loss += loss.item()
            test_pred_labels = test_pred_logits.argmax(dim=1)
            test_acc += (test_pred_labels == y).sum().item() / len(test_pred_labels)
    test_loss = test_loss / len(dataloader)
    test_acc = test_acc / len(dataloader)
    return test_loss, test_acc


def train(model: torch.nn.Module, train_dataloader: torch.utils.data.DataLoader,
          test_dataloader: torch.utils.data.DataLoader, optimizer: torch.optim.Optimizer,
          loss_fn: torch.nn.Module, epochs: int, device: torch.device,
          progress: bool = True) -> Dict[str, List[float]]:
    """Trains and tests the model for `epochs` epochs, printing one line per epoch.

    A tqdm bar counts the epochs (on stderr; `progress=False` hides it). Returns
    {"train_loss": [...], "train_acc": [...], "test_loss": [...], "test_acc": [...]}.
    """
    results = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    model.to(device)
    for epoch in tqdm(range(epochs), disable=not progress):
        train_loss, train_acc = train_step(model=model, dataloader=train_dataloader,
                                           loss_fn=loss_fn, optimizer=optimizer, device=device)
        test_loss, test_acc = test_step(model=model, dataloader=test_dataloader,
                                        loss_fn=loss_fn, device=device)
        print(f"Epoch: {epoch+1} | "
              f"train_loss: {train_loss:.4f} | "
              f"train_acc: {train_acc:.4f} | "
              f"test_loss: {test_loss:.4f} | "
              f"test_acc: {test_acc:.4f}")
        results["train_loss"].append(train_loss)
        results["train_acc"].append(train_acc)
        results["test_loss"].append(test_loss)
        results["test_acc"].append(test_acc)
    return results
