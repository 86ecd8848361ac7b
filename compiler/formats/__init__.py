"""Machine-readable renderings of diagnostics for CI: SARIF 2.1.0 (code scanning) and GitHub workflow commands.

Text and JSON stay in `compiler/diagnostics.py`. Rule metadata for both comes from `catalogue.py`: the
policy rules, the decision rules, the policy-file codes and the families of compiler codes.
"""
