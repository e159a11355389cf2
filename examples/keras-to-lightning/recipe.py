"""The recipe both runs of examples/keras-to-lightning share: the seed user's story
(../../../shared/seeds/001, "Keras gives 99.5 %, my PyTorch port 99.0 %: is my port
worse?") on sklearn's digits. The same MLP, optimiser (Adam, lr 3e-3, eps 1e-7 as Keras),
initial weights (Keras' Glorot uniform draw, copied into the torch model as the thread
suggested: keras/initial_weights.npz), batch size, batch order and validation set; Keras with a softmax output and categorical_crossentropy, Lightning with
logits and CrossEntropyLoss, logging torchmetrics 0.11.4's MulticlassAccuracy(num_classes=10)
as its accuracy (average="macro" by default).

The validation set is the stratified 25 % split with digits 8 and 9 cut to their first
four samples each, so that those rarer classes weigh 1/10 each in a macro mean.
"""

LR = 3e-3
EPOCHS = 8
BATCH_SIZE = 64
RARE_CLASSES = (8, 9)
RARE_KEPT = 4

DATA = ("sklearn.datasets.load_digits, X/16, stratified 75/25 split (random_state=0); "
        "validation: every sample of digits 0-7 and the first 4 of digits 8 and 9; training rows "
        "shuffled once (numpy default_rng(0)) and fed in that order every epoch")


def select_val(X_va, y_va):
    import numpy as np
    keep = np.ones(len(y_va), dtype=bool)
    for c in RARE_CLASSES:
        rows = np.flatnonzero(y_va == c)
        keep[rows[RARE_KEPT:]] = False
    return X_va[keep], y_va[keep]


INITIAL_WEIGHTS = "initial_weights.npz"  # in the keras run's folder


def save_initial_weights(model, path):
    """The Keras model's Dense kernels (in, out) and biases before training."""
    import numpy as np
    arrays = {}
    for i, layer in enumerate(l for l in model.layers if l.get_weights()):
        kernel, bias = layer.get_weights()
        arrays[f"dense{i}_kernel"] = np.asarray(kernel, dtype=np.float32)
        arrays[f"dense{i}_bias"] = np.asarray(bias, dtype=np.float32)
    np.savez_compressed(path, **arrays)


def load_initial_weights(net, path):
    """Copies them into a torch Sequential of Linear layers (weight = kernel transposed)."""
    import numpy as np
    import torch
    arrays = np.load(path)
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        for i, layer in enumerate(linears):
            layer.weight.copy_(torch.from_numpy(arrays[f"dense{i}_kernel"].T.copy()))
            layer.bias.copy_(torch.from_numpy(arrays[f"dense{i}_bias"]))
