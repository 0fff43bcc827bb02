"""Training runs of the whole server: a scheduler in the web server, workers in processes.

Pages submit a spec and read progress (runs.scheduler); only the workers (runs.worker)
compute training steps. Nothing here imports Streamlit.
"""
