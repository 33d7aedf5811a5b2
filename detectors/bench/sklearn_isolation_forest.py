"""scikit-learn's side of the Isolation Forest comparison (run by hack/bench-detectors.sh).

Reads the labelled CSV written by isolation_forest_compare (features..., label), fits and
scores it with the same trees and subsample size on one thread, and prints the best-of-N
CPU time (process time, like the C++ side) and the ROC AUC.
"""
import sys
import time

import numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score


def main():
    path = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    data = np.loadtxt(path, delimiter=",")
    features, labels = data[:, :-1], data[:, -1].astype(int)
    best, auc = float("inf"), 0.0
    for seed in range(repeats):
        start = time.process_time()
        forest = IsolationForest(n_estimators=100, max_samples=256, random_state=seed, n_jobs=1)
        forest.fit(features)
        scores = -forest.score_samples(features)  # higher = more anomalous
        best = min(best, time.process_time() - start)
        auc = roc_auc_score(labels, scores)
    print(f"sklearn rows={len(labels)} features={features.shape[1]} trees=100 sample_size=256 "
          f"fit+score={best:.6f} s auc={auc:.4f}")


if __name__ == "__main__":
    main()
