"""Front ends: the command line, the Gradio chat page, the JSON API and the widget."""
