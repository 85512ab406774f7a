/** Entry of dist/snippet.min.js: the stub, called with the SDK's URL and the global's name (edit both when pasting). */
import { stub } from './snippet.js'

stub(window, document, '/userbeam.min.js', 'userbeam')
