import{a}from"./chunk-JOVKSEPN.js";import"./chunk-R3X6QOE6.js";import"./chunk-OOJM4CTU.js";export{a as WebGLDevice};
