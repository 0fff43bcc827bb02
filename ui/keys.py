"""Every st.session_state key of the app, spelled once (the settings' keys are TrainConfig's
field names: mlcore.train). A widget's key is its value's key."""

# The router and the browser's workspace
ROUTED = "routed_by_app"  # this session has been through app.py at least once
TOKEN = "workspace_token"  # this tab's workspace token
OFFERED = "workspace_offered"  # a link's token, offered instead of the cookie's
TEACHER = "class_teacher"  # this tab gave the right teacher's key
NICKNAME = "handin_nickname"  # the nickname last used for a hand-in, offered again

# Home
UPLOAD = "upload"  # the file uploader's files
UPLOAD_RESULT = "home_upload_result"  # ("ok", names, sizes) or ("error", [IdxError, ...])
DELETE = "your_work_delete"  # Your work: the run chosen for deleting
FORGET_SURE = "your_work_forget_sure"  # Your work: "forget everything" confirmed

# Train
CURRENT_RUN = "current_run"  # id of the run the Train page shows
PRESET = "preset"  # the preset's name, or CUSTOM once a setting differs
URL_READ = "train_url_read"  # the link's settings were applied once this session
SETTINGS_OF = "train_settings_of"  # id of the run on screen when the settings were last written
TRAIN_ERROR = "train_error"  # why Start or Continue could not, said once
TRAIN_POLLING = "polling"  # the Train page's live view reruns every poll
SETTINGS_OPEN = "train_settings_open"  # the Train page's Settings expander is open
NOTICE = "train_notice"  # what a hint's fix changed: said once, under the hints
TRAIN_X_AXIS = "train_x_axis"
TRAIN_VIEW = "train_view"

# Lessons
LESSON_CHOICE = "lessons_choice"
LESSONS_POLLING = "lessons_polling"
LESSON_START_ERROR = "lessons_start_error"  # why the lesson could not start, kept until shown
LESSONS_X_AXIS = "lessons_x_axis"
LESSON_RUNS = "lessons_runs"  # {slug: {label: run id, RANGE: run id}}: the runs a lesson started

# Softmax
SOFTMAX_PRESET = "softmax_preset"
SOFTMAX_SCALE = "softmax_scale"
SOFTMAX_DTYPE = "softmax_dtype"
SOFTMAX_PASTED = "softmax_pasted"  # what the last big paste kept, said once
SOFTMAX_BASES = "softmax_bases"
SOFTMAX_TYPED = "softmax_typed"
SOFTMAX_VERSIONS = "softmax_editor_versions"

# Draw
DRAWN_PIXELS = "draw_pixels"  # (28, 28) float32 0-255: what the network saw of the last drawing
DRAWING = "canvas_drawing"  # what the canvas starts from; Undo and Clear set a new one
BRUSH = "brush"
DRAW_MODEL = "draw_model"

# Model pickers (Draw, Inside)
UPLOADED_MODELS = "uploaded_models"  # {id: (file name, Model)}, this session's uploads
PICKED = "picked_model"  # the id the user chose, shared by every page with a picker
PICKER_ERROR = "picker_error"  # (file name, problem) of an upload that failed, said once
PICKER_NOTE = "picker_note"  # the sentence naming older uploads let go, said once
UPLOADS_MADE = "uploads_made"  # model files this tab has uploaded (their ids are never reused)

# Inside the network
INSIDE_CACHE = "inside_cache"  # {(model id, snapshot, data): Analysis}, the last few
INSIDE_UNIT_OF = "inside_unit_of"  # the model whose most useful unit "Unit" last opened on
INSIDE_UNIT = "inside_unit"
INSIDE_UNITS_PAGE = "inside_units_page"
INSIDE_COMPARE = "inside_compare"
INSIDE_CONFUSION = "inside_confusion"
INSIDE_TRUE = "inside_true"
INSIDE_PRED = "inside_pred"
INSIDE_PAIR_AUTO = "inside_pair_auto"  # the (true, pred) pair last opened on by itself
INSIDE_PAIR_OF = "inside_pair_of"  # the model whose largest confusion the pair opened on
INSIDE_SOURCE = "inside_source"
INSIDE_INDEX = "inside_index"
INSIDE_MEANT = "inside_meant"
INSIDE_CHECK = "inside_gradcheck"  # (cache key, rows) of the last gradient check

# Write it yourself
WRITE_MODE = "write_mode"  # "editor" or "paste": where the code comes from
WRITE_EDITOR = "write_editor"  # the code editor component's own key
WRITE_TEXT = "write_text"  # the editor's latest text (the component returns it on change)
WRITE_PASTE = "write_paste"  # the paste box
WRITE_CHECK = "write_check"  # the Check button
WRITE_TRAIN = "write_train"  # the Train with my code button
WRITE_STOP = "write_stop"  # Stop both runs
WRITE_HANDIN_NICKNAME = "write_handin_nickname"
WRITE_HANDIN = "write_handin"  # the Hand in button
WRITE_RESULT = "write_result"  # the last check's JSON report, or {"error": sentence}
WRITE_KEEP_ERROR = "write_keep_error"  # why the last checked version was not kept
WRITE_POLLING = "write_polling"  # the Write page's live view reruns every poll
WRITE_RUNS = "write_runs"  # (your run's id, the reference run's id) of Train with my code
WRITE_TRAIN_ERROR = "write_train_error"  # why Train with my code could not start, said once

# Naming and hiding runs (Train, beside the runs table: ui/run_names.py)
RUN_NAMED = "run_names_choice"  # the run chosen to name or hide
RUN_NAME = "run_name_"  # + run id: the name typed for that run
RUN_HIDDEN = "run_hidden_"  # + run id: "hide it from the charts" for that run
RUN_NAMES_SAID = "run_names_said"  # (kind, sentence) of the last save, said once
