"""NumPy core of MNIST Backprop Lab: data, the one-hidden-layer network, training, preprocessing.

Imports only NumPy and the standard library; the Streamlit pages call into it.
"""
