"""The evaluation, beside the build (never imported by it): how good each list is, for rating
prediction and for a visitor's top 10.

Three studies, each on its own fixed split (one module each):

1. ``accuracy``: seeded k-fold RMSE and MAE of a global mean, BaselineOnly, item-based
   KNNBaseline, SVD with the seed's parameters, SVD tuned on the seed's grid, and SVD with
   staticrec's defaults.
2. ``ranking``: each list the site shows, scored @10 against every user's latest ratings; the
   fusion is chosen on a validation split, never on the test split.
3. ``cold_start``: new visitors' later ratings predicted after 5, 10 and 20 ratings.

``protocol`` holds the settings and splits, ``metrics`` the measures, ``peers`` the outside
models, ``studies`` runs all three, ``report`` turns the result into plots, Markdown and the
site's report page, and ``run`` is the command (and, for ``build --evaluate``, the build's
stage). Every list comes from ``staticrec.scoring``: the code the site runs.
"""
