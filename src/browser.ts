/** Entry of dist/userbeam.min.js: installs the global at once. The one file with a side effect. */
import { install } from './global.js'

install(window, document.currentScript)
