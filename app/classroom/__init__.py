"""Classroom practice: debate rounds with a side and a clock, rubric scorecards grounded in the text, and
assignments a teacher sets and reviews. Faces (web tab, CLI) call `ClassroomService` and `Teacher`."""
