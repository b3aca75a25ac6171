"""astdp from Python: leaky-integrator Hopfield networks that learn with aSTDP
(arXiv 2206.14137) and the crate's other brain-inspired systems, a thin layer over the
Rust crate, numpy in and out.

    import astdp
    data = astdp.datasets.load_mnist(train=2000, test=1000)
    net = astdp.Trainer("configs/mnist/one_layer/quick.json", seed=1)
    net.fit(data.X_train, data.y_train, epochs=1)
    print(net.score(data.X_test, data.y_test))

Modules: `datasets` (MNIST), `learners` (Trainer, MLP, CVAE), `clustering`
(ClusteringNeurons, MetaClustering), `memory` (AIMemory1, ShortTermMemory), `continual`
(a continual-learning run), `toys` (the experiments of section 3.2). Long calls release
the GIL and stop on Ctrl-C with KeyboardInterrupt.
"""

from . import clustering, continual, datasets, learners, memory, toys
from ._astdp import __version__
from .clustering import ClusteringNeurons, MetaClustering
from .learners import CVAE, MLP, Trainer
from .memory import AIMemory1, ShortTermMemory

__all__ = [
    "AIMemory1",
    "CVAE",
    "ClusteringNeurons",
    "MLP",
    "MetaClustering",
    "ShortTermMemory",
    "Trainer",
    "__version__",
    "clustering",
    "continual",
    "datasets",
    "learners",
    "memory",
    "toys",
]
