// What static/js/editor-richtext.js uses from ProseMirror, as one global (window.PortalProseMirror):
// only these names are bundled.
export { DOMParser, DOMSerializer, Schema } from "prosemirror-model";
export { EditorState, TextSelection } from "prosemirror-state";
export { EditorView } from "prosemirror-view";
export {
  baseKeymap,
  chainCommands,
  exitCode,
  setBlockType,
  toggleMark,
} from "prosemirror-commands";
export { keymap } from "prosemirror-keymap";
export { history, redo, undo } from "prosemirror-history";
export { dropCursor } from "prosemirror-dropcursor";
export { gapCursor } from "prosemirror-gapcursor";
export {
  liftListItem,
  listItem,
  orderedList,
  bulletList,
  sinkListItem,
  splitListItem,
  wrapInList,
} from "prosemirror-schema-list";
export {
  addColumnAfter,
  addRowAfter,
  deleteColumn,
  deleteRow,
  deleteTable,
  isInTable,
  mergeCells,
  splitCell,
  tableEditing,
  tableNodes,
} from "prosemirror-tables";
